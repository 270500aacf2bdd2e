// Guest SDK: <lib/zircon-internal/default_stack_size.h> --
// ZIRCON_DEFAULT_STACK_SIZE, the stack size Fuchsia gives a thread when its
// creator names none (256 KiB), for code that sizes the stacks of threads it
// starts by hand.  Written for this project to Fuchsia's value.  (Threads
// made by this SDK's C library get musl's default instead.)
#ifndef LIB_ZIRCON_INTERNAL_DEFAULT_STACK_SIZE_H_
#define LIB_ZIRCON_INTERNAL_DEFAULT_STACK_SIZE_H_

#define ZIRCON_DEFAULT_STACK_SIZE (256 << 10)

#endif  // LIB_ZIRCON_INTERNAL_DEFAULT_STACK_SIZE_H_
