# The two ways into guest code (Intel syntax). Operands in braces are the
# state-block offsets and constants context.rs passes in; everything is
# addressed through the GS base, which points at the thread's block.
#
# Both are called from Rust with rsp = 16n + 8. Six pushes and 8 bytes of
# padding leave rsp 16-byte aligned; that is host_rsp, so the trampoline's
# calls into Rust are aligned.

.pushsection .text.zx_hal_context, "ax", @progbits

# Save the host's callee-saved registers, its stack pointer and its FS base
# in the state block (rax is clobbered).
.macro zx_hal_save_host
    push rbp
    push rbx
    push r12
    push r13
    push r14
    push r15
    sub rsp, 8
    mov qword ptr gs:[{host_rsp}], rsp
    rdfsbase rax
    mov qword ptr gs:[{host_fs}], rax
.endm

# zx_hal_enter_guest(stack = rdi, arg1 = rsi, arg2 = rdx): start a thread at
# the block's entry with rsp = stack, rdi = arg1, rsi = arg2.
.globl zx_hal_enter_guest
.hidden zx_hal_enter_guest
.type zx_hal_enter_guest, @function
.balign 16
zx_hal_enter_guest:
    zx_hal_save_host
    # A new thread starts with FS base 0.
    xor eax, eax
    mov qword ptr gs:[{guest_fs}], rax
    wrfsbase rax
    # The guest's stack and its two arguments.
    mov rsp, rdi
    mov rdi, rsi
    mov rsi, rdx
    # The initial x87/SSE/AVX state, from the block's XSAVE image.
    mov eax, dword ptr gs:[{xsave_mask}]
    mov edx, dword ptr gs:[{xsave_mask_hi}]
    xrstor64 gs:[{xsave}]
    # Every other general register zero, direction flag clear.
    xor eax, eax
    xor ebx, ebx
    xor ecx, ecx
    xor edx, edx
    xor ebp, ebp
    xor r8d, r8d
    xor r9d, r9d
    xor r10d, r10d
    xor r11d, r11d
    xor r12d, r12d
    xor r13d, r13d
    xor r14d, r14d
    xor r15d, r15d
    cld
    # Guest mode from here: raw syscalls trap; a kick that came early wins
    # (the thread leaves as interrupted at its first instruction, whose
    # registers run_guest left in the block).
    mov qword ptr gs:[{in_kernel}], 0
    mov byte ptr gs:[{selector}], {sud_block}
    cmp qword ptr gs:[{kick_pending}], 0
    jne zx_hal_leave_interrupted
    jmp qword ptr gs:[{entry}]
.size zx_hal_enter_guest, . - zx_hal_enter_guest

# zx_hal_resume_guest(): continue a thread after an exception with every
# register, the FS base and the FPU state taken from the block.
.globl zx_hal_resume_guest
.hidden zx_hal_resume_guest
.type zx_hal_resume_guest, @function
.balign 16
zx_hal_resume_guest:
    zx_hal_save_host
    # The saved (or edited) FPU state.
    mov eax, dword ptr gs:[{xsave_mask}]
    mov edx, dword ptr gs:[{xsave_mask_hi}]
    xrstor64 gs:[{xsave}]
    # The guest's FS base.
    mov rax, qword ptr gs:[{r_fs}]
    mov qword ptr gs:[{guest_fs}], rax
    wrfsbase rax
    # Guest mode from here (as in zx_hal_enter_guest).
    mov qword ptr gs:[{in_kernel}], 0
    mov byte ptr gs:[{selector}], {sud_block}
    cmp qword ptr gs:[{kick_pending}], 0
    jne zx_hal_leave_interrupted
    # Single-stepping: see .Lresume_stepping.
    test dword ptr gs:[{r_rflags}], {rflags_tf}
    jnz .Lresume_stepping
    # Flags (already masked to the user-settable ones), then every general
    # register; rsp last, then jump to rip straight from the block.
    push qword ptr gs:[{r_rflags}]
    popfq
    mov rax, qword ptr gs:[{r_rax}]
    mov rbx, qword ptr gs:[{r_rbx}]
    mov rcx, qword ptr gs:[{r_rcx}]
    mov rdx, qword ptr gs:[{r_rdx}]
    mov rsi, qword ptr gs:[{r_rsi}]
    mov rdi, qword ptr gs:[{r_rdi}]
    mov rbp, qword ptr gs:[{r_rbp}]
    mov r8, qword ptr gs:[{r_r8}]
    mov r9, qword ptr gs:[{r_r9}]
    mov r10, qword ptr gs:[{r_r10}]
    mov r11, qword ptr gs:[{r_r11}]
    mov r12, qword ptr gs:[{r_r12}]
    mov r13, qword ptr gs:[{r_r13}]
    mov r14, qword ptr gs:[{r_r14}]
    mov r15, qword ptr gs:[{r_r15}]
    mov rsp, qword ptr gs:[{r_rsp}]
    jmp qword ptr gs:[{r_rip}]

.Lresume_stepping:
    # The trap flag must take effect with the guest's first instruction,
    # not the stub's: an IRETQ frame (same privilege level) on the host
    # stack sets RIP, RFLAGS and RSP in one instruction.
    mov eax, ss
    push rax
    push qword ptr gs:[{r_rsp}]
    push qword ptr gs:[{r_rflags}]
    mov eax, cs
    push rax
    push qword ptr gs:[{r_rip}]
    mov rax, qword ptr gs:[{r_rax}]
    mov rbx, qword ptr gs:[{r_rbx}]
    mov rcx, qword ptr gs:[{r_rcx}]
    mov rdx, qword ptr gs:[{r_rdx}]
    mov rsi, qword ptr gs:[{r_rsi}]
    mov rdi, qword ptr gs:[{r_rdi}]
    mov rbp, qword ptr gs:[{r_rbp}]
    mov r8, qword ptr gs:[{r_r8}]
    mov r9, qword ptr gs:[{r_r9}]
    mov r10, qword ptr gs:[{r_r10}]
    mov r11, qword ptr gs:[{r_r11}]
    mov r12, qword ptr gs:[{r_r12}]
    mov r13, qword ptr gs:[{r_r13}]
    mov r14, qword ptr gs:[{r_r14}]
    mov r15, qword ptr gs:[{r_r15}]
    iretq
.size zx_hal_resume_guest, . - zx_hal_resume_guest

# A kick was pending on the way in: leave as interrupted before running any
# guest instruction (the block's registers are where the guest would have
# started).
.balign 16
zx_hal_leave_interrupted:
    mov qword ptr gs:[{exit_kind}], {exit_by_interrupt}
    jmp zx_hal_leave_guest

.popsection
