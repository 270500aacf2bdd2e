# The exit stub (Intel syntax): leaves guest mode from wherever the guest
# was. Signal handlers (an exception, a kick) make sigreturn resume the
# thread here, and the entry stubs jump here on a pending kick. It returns
# from zx_hal_enter_guest or zx_hal_resume_guest with the host's state.

.pushsection .text.zx_hal_context, "ax", @progbits

.globl zx_hal_leave_guest
.hidden zx_hal_leave_guest
.type zx_hal_leave_guest, @function
.balign 16
zx_hal_leave_guest:
    # Host code from here: its syscalls must reach Linux.
    mov byte ptr gs:[{selector}], {sud_allow}
    # The ABI's FPU control state, the host's FS base and stack.
    ldmxcsr dword ptr gs:[{abi_mxcsr}]
    fninit
    mov r10, qword ptr gs:[{host_fs}]
    wrfsbase r10
    mov rsp, qword ptr gs:[{host_rsp}]
    # Direction and alignment-check flags clear, whatever the guest had.
    pushfq
    and dword ptr [rsp], {not_rflags_df_ac}
    popfq
    # The host's callee-saved registers, pushed by zx_hal_save_host.
    add rsp, 8
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbx
    pop rbp
    ret
.size zx_hal_leave_guest, . - zx_hal_leave_guest

.popsection
