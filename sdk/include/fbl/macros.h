// Guest SDK: <fbl/macros.h> -- fbl's class-boilerplate macros.
#ifndef FBL_MACROS_H_
#define FBL_MACROS_H_

// Deletes the copy constructor and copy assignment of |Class|; moves are
// left as the class declares them.
#define DISALLOW_COPY_AND_ASSIGN_ALLOW_MOVE(Class) \
  Class(const Class&) = delete;                    \
  Class& operator=(const Class&) = delete

// Deletes copies and moves of |Class|.
#define DISALLOW_COPY_ASSIGN_AND_MOVE(Class) \
  Class(const Class&) = delete;              \
  Class& operator=(const Class&) = delete;   \
  Class(Class&&) = delete;                   \
  Class& operator=(Class&&) = delete

// Also deletes the default constructor: a class with only static members.
#define DISALLOW_NEW_COPY_ASSIGN_AND_MOVE(Class) \
  Class() = delete;                              \
  DISALLOW_COPY_ASSIGN_AND_MOVE(Class)

#endif  // FBL_MACROS_H_
