// musl's signal-return trampolines. No signal is ever delivered to guest
// code here, so a return through them is a bug: it traps.
__asm__(".text\n"
        ".globl __restore\n.hidden __restore\n"
        ".globl __restore_rt\n.hidden __restore_rt\n"
        "__restore:\n__restore_rt:\n\tud2\n");
