# The fault-protected copy between a host buffer and guest memory (Intel
# syntax), Linux's copy_from_user/exception-table idea: the copy's loads and
# stores all lie between zx_hal_user_copy_begin and zx_hal_user_copy_end,
# and the fault handler (user_copy.rs, called from fault.rs) sends a fault
# there, while this thread has a copy in progress and the faulting address
# lies in that copy's guest range, to zx_hal_user_copy_end, which returns
# the bytes not copied. No Rust frame is skipped: the routine is a leaf
# that uses no stack, and the handler only rewrites its RIP.
#
# usize zx_hal_user_copy(dst = rdi, src = rsi, len = rdx)
#   returns rax = bytes not copied (0: all copied). rcx counts the bytes
#   left at every instruction, so at a fault it is exactly what was not
#   copied (a faulting load or store copies nothing; rep movsb stops with
#   rcx, rsi and rdi at the faulting byte). DF is clear (the ABI).

.pushsection .text.zx_hal_user_copy, "ax", @progbits

.globl zx_hal_user_copy
.hidden zx_hal_user_copy
.type zx_hal_user_copy, @function
.balign 16
zx_hal_user_copy:
    mov rcx, rdx

# Every instruction from here to zx_hal_user_copy_end may fault on the
# guest side; nothing else does.
.globl zx_hal_user_copy_begin
.hidden zx_hal_user_copy_begin
zx_hal_user_copy_begin:
    # Long copies: one rep movsb (fast strings).
    cmp rcx, {rep_min}
    jae .Lrep
    # Short copies: eight bytes at a time...
.Lqwords:
    cmp rcx, 8
    jb .Lbytes
    mov rax, qword ptr [rsi]
    mov qword ptr [rdi], rax
    add rsi, 8
    add rdi, 8
    sub rcx, 8
    jmp .Lqwords
    # ...then the tail byte by byte.
.Lbytes:
    test rcx, rcx
    jz zx_hal_user_copy_end
    mov al, byte ptr [rsi]
    mov byte ptr [rdi], al
    inc rsi
    inc rdi
    dec rcx
    jmp .Lbytes
.Lrep:
    rep movsb

# The end of the faulting range and the fixup: reached with rcx = 0 when the
# copy is done, or by the fault handler with rcx = the bytes left.
.globl zx_hal_user_copy_end
.hidden zx_hal_user_copy_end
zx_hal_user_copy_end:
    mov rax, rcx
    ret
.size zx_hal_user_copy, . - zx_hal_user_copy

.popsection
