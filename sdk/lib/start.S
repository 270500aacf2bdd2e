// Guest SDK runtime: the ELF entry point.
//
// Zircon starts the first thread with rdi = bootstrap channel handle,
// rsi = vDSO base address, rsp = top of the stack, every other register 0.
// _start makes no assumption about rsp's alignment: it aligns it to 16 bytes
// and calls __zx_sdk_start(bootstrap, vdso_base), so the C code sees the
// SysV ABI's usual entry alignment (rsp + 8 a multiple of 16). It never
// returns.

  .text
  .globl _start
  .type _start, @function
_start:
  .cfi_startproc
  .cfi_undefined rip
  xor %ebp, %ebp
  and $-16, %rsp
  call __zx_sdk_start
  ud2
  .cfi_endproc
  .size _start, . - _start

  .section .note.GNU-stack, "", @progbits
