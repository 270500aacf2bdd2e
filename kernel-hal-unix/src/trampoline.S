# The syscall trampoline (Intel syntax); its address is the vDSO's entry
# slot. Operands in braces are state-block offsets and constants.
#
# On entry: eax = syscall number, rdi..r9 = arguments, rsp = the guest's
# stack at the return address. Only rax, r10, r11 and the flags are touched
# before the Rust call; the guest's callee-saved registers are never
# changed (they are copied into the block's register image, where a
# debugger reads them while the thread is suspended in the syscall), and
# the guest stack is never written. Arguments 7 and 8 of
# zx_hal_dispatch (num, guest_rsp) are pushed so they sit at [rsp] and
# [rsp + 8] at the call; two pushes from the 16-byte aligned host_rsp keep
# the call aligned.

.pushsection .text.zx_hal_context, "ax", @progbits

.globl zx_hal_syscall_entry
.hidden zx_hal_syscall_entry
.type zx_hal_syscall_entry, @function
.balign 16
zx_hal_syscall_entry:
    # Host code runs from here: its syscalls must reach Linux.
    mov byte ptr gs:[{selector}], {sud_allow}
    # The guest's callee-saved registers, for syscall_regs.
    mov qword ptr gs:[{r_rbx}], rbx
    mov qword ptr gs:[{r_rbp}], rbp
    mov qword ptr gs:[{r_r12}], r12
    mov qword ptr gs:[{r_r13}], r13
    mov qword ptr gs:[{r_r14}], r14
    mov qword ptr gs:[{r_r15}], r15
    # Switch to the host stack, keeping the guest's rsp in r11 and the block.
    mov r11, rsp
    mov qword ptr gs:[{guest_rsp}], rsp
    mov rsp, qword ptr gs:[{host_rsp}]
    # Park the guest's FS base, load the host's (Rust's thread-locals).
    rdfsbase r10
    mov qword ptr gs:[{guest_fs}], r10
    mov r10, qword ptr gs:[{host_fs}]
    wrfsbase r10
    mov qword ptr gs:[{in_kernel}], 1
    # The ABI's flags: direction clear, alignment checking off.
    cld
    pushfq
    test dword ptr [rsp], {rflags_ac}
    jnz .Lclear_ac
    add rsp, 8
.Lflags_done:
    # The ABI's MXCSR; the guest's is kept for the way back.
    stmxcsr dword ptr gs:[{guest_mxcsr}]
    ldmxcsr dword ptr gs:[{abi_mxcsr}]
    # The ABI's x87 control word; a pending x87 exception is parked first.
    # A guest that masks every x87 exception has none pending (the CPU
    # raises one only for an unmasked flag, and FLDCW traps on a pending
    # one rather than masking it), so the status word, slow to read on
    # some CPUs, is read only when the guest unmasks one.
    fnstcw word ptr gs:[{guest_fcw}]
    mov word ptr gs:[{guest_fsw}], 0
    movzx r10d, word ptr gs:[{guest_fcw}]
    not r10d
    test r10b, {fcw_exception_masks}
    jnz .Lx87_unmasked
.Lx87_abi:
    fldcw word ptr gs:[{abi_fcw}]
.Lcall:
    # zx_hal_dispatch(rdi..r9, num = eax zero-extended, guest_rsp = r11).
    mov eax, eax
    push r11
    push rax
    call {dispatch}
    cmp qword ptr gs:[{exit_requested}], 0
    jne .Lexit
    # Back to the guest: its MXCSR and x87 control (or environment).
    ldmxcsr dword ptr gs:[{guest_mxcsr}]
    test byte ptr gs:[{guest_fsw}], {fsw_es}
    jnz .Lrestore_x87
    fldcw word ptr gs:[{guest_fcw}]
.Lx87_done:
    cmp byte ptr gs:[{guest_ac}], 0
    jne .Lset_ac
.Lac_done:
    # Its FS base and stack; guest mode again (raw syscalls trap).
    mov qword ptr gs:[{in_kernel}], 0
    mov r10, qword ptr gs:[{guest_fs}]
    wrfsbase r10
    mov rsp, qword ptr gs:[{guest_rsp}]
    mov byte ptr gs:[{selector}], {sud_block}
    # The caller-saved registers hold whatever the emulator left there:
    # the guest gets zeros, not host addresses.
    xor ecx, ecx
    xor edx, edx
    xor esi, esi
    xor edi, edi
    xor r8d, r8d
    xor r9d, r9d
    xor r10d, r10d
    xor r11d, r11d
    cmp byte ptr gs:[{guest_tf}], 0
    jne .Lret_stepping
    ret

.Lret_stepping:
    # A single-stepped call: the trap flag again, as the last change before
    # the return, so the next trap comes after the guest's next instruction
    # (the flags word goes below the return address, where the callee's
    # frame was).
    mov byte ptr gs:[{guest_tf}], 0
    pushfq
    or dword ptr [rsp], {rflags_tf}
    popfq
    ret

.Lexit:
    # The handler asked the thread to leave guest mode: restore the host's
    # callee-saved registers and return from zx_hal_enter_guest or
    # zx_hal_resume_guest.
    mov rsp, qword ptr gs:[{host_rsp}]
    add rsp, 8
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbx
    pop rbp
    ret

.Lx87_unmasked:
    # The guest unmasks an x87 exception: one may be pending.
    fnstsw word ptr gs:[{guest_fsw}]
    test byte ptr gs:[{guest_fsw}], {fsw_es}
    jz .Lx87_abi
    # It is: park the guest's environment, clear it, and give it back on
    # the way out.
    fnstenv gs:[{guest_fenv}]
    fnclex
    fldcw word ptr gs:[{abi_fcw}]
    jmp .Lcall
.Lrestore_x87:
    fldenv gs:[{guest_fenv}]
    jmp .Lx87_done

.Lclear_ac:
    # The guest runs with alignment checking (EFLAGS.AC): the host must not
    # (its code does unaligned accesses), so it is cleared for the call and
    # set again on the way back.
    and dword ptr [rsp], {not_rflags_ac}
    popfq
    mov byte ptr gs:[{guest_ac}], 1
    jmp .Lflags_done
.Lset_ac:
    mov byte ptr gs:[{guest_ac}], 0
    pushfq
    or dword ptr [rsp], {rflags_ac}
    popfq
    jmp .Lac_done
.size zx_hal_syscall_entry, . - zx_hal_syscall_entry

.popsection
