// Guest SDK: <fbl/intrusive_double_list.h> -- fbl::DoublyLinkedList, an
// intrusive doubly linked list: the links live in the elements (a
// DoublyLinkedListNodeState, usually through the DoublyLinkedListable
// mix-in), so linking and unlinking never allocate.
//
//   struct Job : fbl::DoublyLinkedListable<std::unique_ptr<Job>> { int id; };
//   fbl::DoublyLinkedList<std::unique_ptr<Job>> jobs;
//   jobs.push_back(std::make_unique<Job>());
//   for (Job& j : jobs) { ... }
//   std::unique_ptr<Job> first = jobs.pop_front();
//
// The pointer type says who owns the elements: T* (the list owns nothing;
// it must be empty when destroyed) or std::unique_ptr<T> (the list owns its
// elements; clear() and the destructor free them).  An element is in at most
// one list per node state; a class in several lists at once derives from
// several node types with distinct tags (fbl::ContainableBaseClasses of
// fbl::TaggedDoublyLinkedListable<Ptr, Tag>) and each list names its tag.
//
// Layout (this SDK's own): the list keeps its first and last elements; the
// first element's prev and the last element's next hold the list's
// "sentinel" (its address with the low bit set), which is also what end()
// points at.  So a node can be unlinked knowing only itself
// (RemoveFromContainer), and --end() reaches the last element.
#ifndef FBL_INTRUSIVE_DOUBLE_LIST_H_
#define FBL_INTRUSIVE_DOUBLE_LIST_H_

#include <stddef.h>
#include <zircon/assert.h>

#include <iterator>
#include <type_traits>
#include <utility>

#include <fbl/intrusive_container_utils.h>

namespace fbl {

template <typename PtrType_, typename TagType_, SizeOrder ListSizeOrder_, typename NodeTraits_>
class DoublyLinkedList;

namespace internal {

// The two ends of a list, kept apart from its element type's ownership
// so that a bare node can find them through a sentinel.
template <typename RawPtrType>
struct DoublyLinkedListEnds {
  RawPtrType head_;
  RawPtrType tail_;
};

struct DllAccess;

}  // namespace internal

// The links of one element in one list.  Copying or moving it (allowed only
// with NodeOptions::AllowCopy / AllowMove, and only for a node in no list)
// gives an unlinked node; assigning one leaves the target's links alone.
template <typename PtrType_, NodeOptions Options = NodeOptions::None>
struct DoublyLinkedListNodeState {
  using PtrType = PtrType_;
  using PtrTraits = internal::ContainerPtrTraits<PtrType>;
  using RawPtrType = typename PtrTraits::RawPtrType;
  static constexpr NodeOptions kNodeOptions = Options;

  constexpr DoublyLinkedListNodeState() = default;
  ~DoublyLinkedListNodeState() {
    ZX_DEBUG_ASSERT(IsValid());
    if constexpr (!(Options & NodeOptions::AllowClearUnsafe)) {
      ZX_DEBUG_ASSERT(!InContainer());
    }
  }

  DoublyLinkedListNodeState(const DoublyLinkedListNodeState& other) {
    static_assert(Options & NodeOptions::AllowCopy,
                  "copying a node needs NodeOptions::AllowCopy");
    ZX_DEBUG_ASSERT(!other.InContainer());
  }
  DoublyLinkedListNodeState& operator=(const DoublyLinkedListNodeState& other) {
    static_assert(Options & NodeOptions::AllowCopy,
                  "copying a node needs NodeOptions::AllowCopy");
    ZX_DEBUG_ASSERT(!InContainer() && !other.InContainer());
    return *this;
  }
  DoublyLinkedListNodeState(DoublyLinkedListNodeState&& other) {
    static_assert(Options & NodeOptions::AllowMove,
                  "moving a node needs NodeOptions::AllowMove");
    ZX_DEBUG_ASSERT(!other.InContainer());
  }
  DoublyLinkedListNodeState& operator=(DoublyLinkedListNodeState&& other) {
    static_assert(Options & NodeOptions::AllowMove,
                  "moving a node needs NodeOptions::AllowMove");
    ZX_DEBUG_ASSERT(!InContainer() && !other.InContainer());
    return *this;
  }

  // Linked and unlinked nodes have both links set, or neither.
  bool IsValid() const { return (next_ == nullptr) == (prev_ == nullptr); }
  bool InContainer() const { return next_ != nullptr; }

  // Unlinks this node from whatever list holds it; returns the list's
  // pointer to it.  Needs NodeOptions::AllowRemoveFromContainer (and so a
  // list that does not count its elements).
  template <typename NodeTraits>
  PtrType RemoveFromContainer() {
    static_assert(Options & NodeOptions::AllowRemoveFromContainer,
                  "RemoveFromContainer needs NodeOptions::AllowRemoveFromContainer");
    ZX_DEBUG_ASSERT(InContainer());
    return PtrTraits::Reclaim(Unlink<NodeTraits>(*this));
  }

 private:
  template <typename, typename, SizeOrder, typename>
  friend class DoublyLinkedList;

  // Takes |ns| (a linked node) out of its list, fixing its neighbours or the
  // list's ends; returns the node's object.
  template <typename NodeTraits>
  static RawPtrType Unlink(DoublyLinkedListNodeState& ns) {
    using Ends = internal::DoublyLinkedListEnds<RawPtrType>;
    RawPtrType prev = ns.prev_;
    RawPtrType next = ns.next_;
    RawPtrType self = internal::is_sentinel_ptr(prev)
                          ? internal::unmake_sentinel<Ends>(prev)->head_
                          : NodeTraits::node_state(*prev).next_;
    if (internal::is_sentinel_ptr(prev)) {
      internal::unmake_sentinel<Ends>(prev)->head_ = next;
    } else {
      NodeTraits::node_state(*prev).next_ = next;
    }
    if (internal::is_sentinel_ptr(next)) {
      internal::unmake_sentinel<Ends>(next)->tail_ = prev;
    } else {
      NodeTraits::node_state(*next).prev_ = prev;
    }
    ns.prev_ = nullptr;
    ns.next_ = nullptr;
    return self;
  }

  RawPtrType next_ = nullptr;
  RawPtrType prev_ = nullptr;
};

// The usual way to make a class listable: derive from this.
template <typename PtrType_, NodeOptions Options = NodeOptions::None,
          typename TagType_ = DefaultObjectTag>
struct DoublyLinkedListable {
  using PtrType = PtrType_;
  using TagType = TagType_;
  static constexpr NodeOptions kNodeOptions = Options;

  bool InContainer() const { return dll_node_state_.InContainer(); }
  PtrType RemoveFromContainer();

 private:
  friend struct internal::DllAccess;
  DoublyLinkedListNodeState<PtrType_, Options> dll_node_state_;
};

// A node for the list with tag |TagType_| (see ContainableBaseClasses).
template <typename PtrType_, typename TagType_>
using TaggedDoublyLinkedListable = DoublyLinkedListable<PtrType_, NodeOptions::None, TagType_>;

namespace internal {

struct DllAccess {
  // Picks, among the object's DoublyLinkedListable bases, the one with tag
  // |Tag| (template deduction through the derived-to-base conversion).
  template <typename Tag, typename P, NodeOptions O>
  static DoublyLinkedListNodeState<P, O>& state(DoublyLinkedListable<P, O, Tag>& node) {
    return node.dll_node_state_;
  }
  template <typename Tag, typename P, NodeOptions O>
  static const DoublyLinkedListNodeState<P, O>& state(
      const DoublyLinkedListable<P, O, Tag>& node) {
    return node.dll_node_state_;
  }
};

}  // namespace internal

// The node traits a list uses unless told otherwise: the node state of the
// DoublyLinkedListable base with the list's tag.
template <typename PtrType_, typename TagType_ = DefaultObjectTag>
struct DefaultDoublyLinkedListTraits {
  using PtrType = PtrType_;
  using TagType = TagType_;
  using PtrTraits = internal::ContainerPtrTraits<PtrType>;

  static auto& node_state(typename PtrTraits::RefType obj) {
    return internal::DllAccess::state<TagType>(obj);
  }

  using NodeState = std::decay_t<decltype(internal::DllAccess::state<TagType>(
      std::declval<typename PtrTraits::RefType>()))>;
};

template <typename PtrType_, NodeOptions Options, typename TagType_>
PtrType_ DoublyLinkedListable<PtrType_, Options, TagType_>::RemoveFromContainer() {
  return dll_node_state_.template RemoveFromContainer<
      DefaultDoublyLinkedListTraits<PtrType_, TagType_>>();
}

template <typename PtrType_, typename TagType_ = DefaultObjectTag,
          SizeOrder ListSizeOrder_ = SizeOrder::N,
          typename NodeTraits_ = DefaultDoublyLinkedListTraits<PtrType_, TagType_>>
class DoublyLinkedList
    : private internal::DoublyLinkedListEnds<
          typename internal::ContainerPtrTraits<PtrType_>::RawPtrType>,
      private internal::SizeTracker<ListSizeOrder_> {
 public:
  using PtrType = PtrType_;
  using PtrTraits = internal::ContainerPtrTraits<PtrType>;
  using RawPtrType = typename PtrTraits::RawPtrType;
  using ValueType = typename PtrTraits::ValueType;
  using RefType = typename PtrTraits::RefType;
  using TagType = TagType_;
  using NodeTraits = NodeTraits_;
  static constexpr SizeOrder ListSizeOrder = ListSizeOrder_;
  using ContainerType = DoublyLinkedList<PtrType_, TagType_, ListSizeOrder_, NodeTraits_>;

  static constexpr bool SupportsConstantOrderErase = true;
  static constexpr bool SupportsConstantOrderSize = (ListSizeOrder == SizeOrder::Constant);
  static constexpr bool IsAssociative = false;
  static constexpr bool IsSequenced = true;

 private:
  using Ends = internal::DoublyLinkedListEnds<RawPtrType>;
  using Sizer = internal::SizeTracker<ListSizeOrder_>;

  template <typename Ref, typename Raw>
  class iterator_impl {
   public:
    using value_type = ValueType;
    using reference = Ref;
    using pointer = Raw;
    using difference_type = std::ptrdiff_t;
    using iterator_category = std::bidirectional_iterator_tag;

    iterator_impl() = default;
    // A const_iterator can be made from an iterator.
    template <typename R2, typename P2,
              typename = std::enable_if_t<!std::is_same_v<R2, Ref> && std::is_const_v<
                                              std::remove_reference_t<Ref>>>>
    iterator_impl(const iterator_impl<R2, P2>& other) : node_(other.node_) {}

    // Points at an element (not end(), not default-constructed).
    bool IsValid() const { return node_ != nullptr && !internal::is_sentinel_ptr(node_); }
    bool operator==(const iterator_impl& other) const { return node_ == other.node_; }
    bool operator!=(const iterator_impl& other) const { return node_ != other.node_; }

    iterator_impl& operator++() {
      if (IsValid()) {
        node_ = NodeTraits::node_state(*node_).next_;
      }
      return *this;
    }
    // From end(), to the last element; from the first element, to end().
    iterator_impl& operator--() {
      if (node_ == nullptr) {
        return *this;
      }
      if (internal::is_sentinel_ptr(node_)) {
        node_ = internal::unmake_sentinel<Ends>(node_)->tail_;
      } else {
        node_ = NodeTraits::node_state(*node_).prev_;
      }
      return *this;
    }
    iterator_impl operator++(int) {
      iterator_impl before(*this);
      ++*this;
      return before;
    }
    iterator_impl operator--(int) {
      iterator_impl before(*this);
      --*this;
      return before;
    }

    Ref operator*() const {
      ZX_DEBUG_ASSERT(IsValid());
      return *node_;
    }
    Raw operator->() const {
      ZX_DEBUG_ASSERT(IsValid());
      return node_;
    }

    // For lists of raw pointers: the element's pointer (null at end()).
    PtrType CopyPointer() const { return IsValid() ? PtrTraits::Copy(node_) : nullptr; }

   private:
    friend class DoublyLinkedList;
    template <typename, typename>
    friend class iterator_impl;
    explicit iterator_impl(RawPtrType node) : node_(node) {}

    RawPtrType node_ = nullptr;
  };

 public:
  using iterator = iterator_impl<RefType, RawPtrType>;
  using const_iterator =
      iterator_impl<typename PtrTraits::ConstRefType, typename PtrTraits::ConstRawPtrType>;

  DoublyLinkedList() noexcept {
    this->head_ = sentinel();
    this->tail_ = sentinel();
  }

  // Moving a list moves its elements (for raw pointers too).
  DoublyLinkedList(DoublyLinkedList&& other) noexcept : DoublyLinkedList() { swap(other); }
  DoublyLinkedList& operator=(DoublyLinkedList&& other) {
    ZX_DEBUG_ASSERT(PtrTraits::IsManaged || is_empty());
    clear();
    swap(other);
    return *this;
  }
  DoublyLinkedList(const DoublyLinkedList&) = delete;
  DoublyLinkedList& operator=(const DoublyLinkedList&) = delete;

  // A list of unique_ptr frees what it still holds; a list of raw pointers
  // must be empty by now.
  ~DoublyLinkedList() {
    if constexpr (PtrTraits::IsManaged) {
      clear();
    } else {
      ZX_DEBUG_ASSERT(is_empty());
    }
  }

  iterator begin() { return iterator(this->head_); }
  const_iterator begin() const { return const_iterator(this->head_); }
  const_iterator cbegin() const { return const_iterator(this->head_); }
  iterator end() { return iterator(sentinel()); }
  const_iterator end() const { return const_iterator(sentinel()); }
  const_iterator cend() const { return const_iterator(sentinel()); }

  // An iterator at |obj|, which must be in this list.
  iterator make_iterator(ValueType& obj) { return iterator(&obj); }
  const_iterator make_iterator(const ValueType& obj) const {
    return const_iterator(const_cast<RawPtrType>(&obj));
  }

  bool is_empty() const { return internal::is_sentinel_ptr(this->head_); }

  RefType front() {
    ZX_DEBUG_ASSERT(!is_empty());
    return *this->head_;
  }
  typename PtrTraits::ConstRefType front() const {
    ZX_DEBUG_ASSERT(!is_empty());
    return *this->head_;
  }
  RefType back() {
    ZX_DEBUG_ASSERT(!is_empty());
    return *this->tail_;
  }
  typename PtrTraits::ConstRefType back() const {
    ZX_DEBUG_ASSERT(!is_empty());
    return *this->tail_;
  }

  void push_front(const PtrType& ptr) { push_front(PtrType(ptr)); }
  void push_front(PtrType&& ptr) { link_before(this->head_, std::move(ptr)); }
  void push_back(const PtrType& ptr) { push_back(PtrType(ptr)); }
  void push_back(PtrType&& ptr) { link_before(sentinel(), std::move(ptr)); }

  // Inserts before |iter| (end(): at the back); returns an iterator at the
  // new element.
  iterator insert(const iterator& iter, const PtrType& ptr) { return insert(iter, PtrType(ptr)); }
  iterator insert(const iterator& iter, PtrType&& ptr) {
    return link_before(iter.node_, std::move(ptr));
  }
  iterator insert(ValueType& before, const PtrType& ptr) { return insert(before, PtrType(ptr)); }
  iterator insert(ValueType& before, PtrType&& ptr) { return link_before(&before, std::move(ptr)); }

  // Inserts after |iter|, which must point at an element.
  iterator insert_after(const iterator& iter, const PtrType& ptr) {
    return insert_after(iter, PtrType(ptr));
  }
  iterator insert_after(const iterator& iter, PtrType&& ptr) {
    ZX_DEBUG_ASSERT(iter.IsValid());
    return link_before(NodeTraits::node_state(*iter.node_).next_, std::move(ptr));
  }

  // Removes and returns the first / last element (null if empty).
  PtrType pop_front() { return is_empty() ? PtrType(nullptr) : unlink(this->head_); }
  PtrType pop_back() { return is_empty() ? PtrType(nullptr) : unlink(this->tail_); }

  // Removes |obj| (which must be in this list) / the element at |iter|
  // (null for end()).
  PtrType erase(ValueType& obj) { return unlink(&obj); }
  PtrType erase(const iterator& iter) {
    return iter.IsValid() ? unlink(iter.node_) : PtrType(nullptr);
  }
  // Removes the element after |iter| (null if |iter| is the last).
  PtrType erase_next(const iterator& iter) {
    ZX_DEBUG_ASSERT(iter.IsValid());
    RawPtrType next = NodeTraits::node_state(*iter.node_).next_;
    return internal::is_sentinel_ptr(next) ? PtrType(nullptr) : unlink(next);
  }

  // Unlinks every element (a list of unique_ptr frees them).
  void clear() {
    while (!is_empty()) {
      [[maybe_unused]] PtrType p = unlink(this->head_);
    }
    this->ResetSizeTracker();
  }

  // Forgets every element at once without touching them (raw pointers to
  // nodes with NodeOptions::AllowClearUnsafe only).
  void clear_unsafe() {
    static_assert(!PtrTraits::IsManaged, "clear_unsafe is for lists of raw pointers");
    static_assert(NodeTraits::NodeState::kNodeOptions & NodeOptions::AllowClearUnsafe,
                  "clear_unsafe needs NodeOptions::AllowClearUnsafe");
    this->head_ = sentinel();
    this->tail_ = sentinel();
    this->ResetSizeTracker();
  }

  void swap(DoublyLinkedList& other) {
    std::swap(this->head_, other.head_);
    std::swap(this->tail_, other.tail_);
    retarget_ends();
    other.retarget_ends();
    this->SwapSizeTracker(other);
  }

  // Moves every element of |other| into this list before |iter|.
  void splice(const iterator& iter, DoublyLinkedList& other) {
    if (&other == this || other.is_empty()) {
      return;
    }
    RawPtrType before = iter.node_;
    RawPtrType prev = internal::is_sentinel_ptr(before) ? this->tail_
                                                        : NodeTraits::node_state(*before).prev_;
    RawPtrType first = other.head_;
    RawPtrType last = other.tail_;
    NodeTraits::node_state(*first).prev_ = prev;
    NodeTraits::node_state(*last).next_ = before;
    set_next_of(prev, first);
    set_prev_of(before, last);
    if constexpr (SupportsConstantOrderSize) {
      this->IncSizeTracker(other.SizeTrackerCount());
    }
    other.head_ = other.sentinel();
    other.tail_ = other.sentinel();
    other.ResetSizeTracker();
  }

  // Moves the elements after |iter| / |obj| (which must be in this list)
  // into a new list, which is returned.
  ContainerType split_after(const iterator& iter) {
    if (!iter.IsValid()) {
      return ContainerType();
    }
    return split_after(*iter.node_);
  }
  ContainerType split_after(ValueType& obj) {
    static_assert(ListSizeOrder == SizeOrder::N, "split_after needs a list without a count");
    ContainerType rest;
    auto& ns = NodeTraits::node_state(obj);
    if (!ns.InContainer() || internal::is_sentinel_ptr(ns.next_)) {
      return rest;
    }
    RawPtrType first = ns.next_;
    RawPtrType last = this->tail_;
    ns.next_ = sentinel();
    this->tail_ = &obj;
    NodeTraits::node_state(*first).prev_ = rest.sentinel();
    NodeTraits::node_state(*last).next_ = rest.sentinel();
    rest.head_ = first;
    rest.tail_ = last;
    return rest;
  }

  // The number of elements: counted each call (SizeOrder::N lists) ...
  size_t size_slow() const {
    static_assert(ListSizeOrder == SizeOrder::N, "this list counts: use size()");
    size_t n = 0;
    for (auto it = cbegin(); it != cend(); ++it) {
      n++;
    }
    return n;
  }
  // ... or kept (SizedDoublyLinkedList).
  size_t size() const {
    static_assert(ListSizeOrder == SizeOrder::Constant, "this list does not count: size_slow()");
    return this->SizeTrackerCount();
  }

  // The first element for which |fn| is true.
  template <typename UnaryFn>
  iterator find_if(UnaryFn fn) {
    for (auto it = begin(); it != end(); ++it) {
      if (fn(static_cast<typename PtrTraits::ConstRefType>(*it))) {
        return it;
      }
    }
    return end();
  }
  template <typename UnaryFn>
  const_iterator find_if(UnaryFn fn) const {
    for (auto it = begin(); it != end(); ++it) {
      if (fn(*it)) {
        return it;
      }
    }
    return end();
  }

  // Removes and returns the first element for which |fn| is true (or null).
  template <typename UnaryFn>
  PtrType erase_if(UnaryFn fn) {
    iterator it = find_if(fn);
    return it.IsValid() ? unlink(it.node_) : PtrType(nullptr);
  }

  // Puts |ptr| in place of the first element for which |fn| is true and
  // returns that element; if none matches, returns |ptr| back (move form)
  // or null (copy form).
  template <typename UnaryFn>
  PtrType replace_if(UnaryFn fn, const PtrType& ptr) {
    iterator it = find_if(fn);
    return it.IsValid() ? replace(*it, PtrType(ptr)) : PtrType(nullptr);
  }
  template <typename UnaryFn>
  PtrType replace_if(UnaryFn fn, PtrType&& ptr) {
    iterator it = find_if(fn);
    return it.IsValid() ? replace(*it, std::move(ptr)) : std::move(ptr);
  }

  // Puts |replacement| where |target| (in this list) is; returns |target|.
  PtrType replace(RefType target, PtrType replacement) {
    ZX_DEBUG_ASSERT(replacement != nullptr);
    auto& old_ns = NodeTraits::node_state(target);
    RawPtrType raw = PtrTraits::Leak(replacement);
    auto& new_ns = NodeTraits::node_state(*raw);
    ZX_DEBUG_ASSERT(old_ns.InContainer() && !new_ns.InContainer());
    new_ns.prev_ = old_ns.prev_;
    new_ns.next_ = old_ns.next_;
    set_next_of(new_ns.prev_, raw);
    set_prev_of(new_ns.next_, raw);
    old_ns.prev_ = nullptr;
    old_ns.next_ = nullptr;
    return PtrTraits::Reclaim(&target);
  }

 private:
  RawPtrType sentinel() const {
    return internal::make_sentinel<RawPtrType>(static_cast<const Ends*>(this));
  }

  // |p| is an element or a sentinel (of this list): the link that leads
  // forward from it / back into it.
  void set_next_of(RawPtrType p, RawPtrType value) {
    if (internal::is_sentinel_ptr(p)) {
      internal::unmake_sentinel<Ends>(p)->head_ = value;
    } else {
      NodeTraits::node_state(*p).next_ = value;
    }
  }
  void set_prev_of(RawPtrType p, RawPtrType value) {
    if (internal::is_sentinel_ptr(p)) {
      internal::unmake_sentinel<Ends>(p)->tail_ = value;
    } else {
      NodeTraits::node_state(*p).prev_ = value;
    }
  }

  iterator link_before(RawPtrType before, PtrType&& ptr) {
    ZX_DEBUG_ASSERT(ptr != nullptr);
    ZX_DEBUG_ASSERT(before != nullptr);
    RawPtrType raw = PtrTraits::Leak(ptr);
    auto& ns = NodeTraits::node_state(*raw);
    ZX_DEBUG_ASSERT(!ns.InContainer());
    RawPtrType prev = internal::is_sentinel_ptr(before) ? this->tail_
                                                        : NodeTraits::node_state(*before).prev_;
    ns.prev_ = prev;
    ns.next_ = before;
    set_next_of(prev, raw);
    set_prev_of(before, raw);
    this->IncSizeTracker(1);
    return iterator(raw);
  }

  PtrType unlink(RawPtrType node) {
    auto& ns = NodeTraits::node_state(*node);
    ZX_DEBUG_ASSERT(ns.InContainer());
    using NodeState = std::decay_t<decltype(ns)>;
    RawPtrType raw = NodeState::template Unlink<NodeTraits>(ns);
    this->DecSizeTracker(1);
    return PtrTraits::Reclaim(raw);
  }

  // After the ends moved to another list object, point the end nodes'
  // sentinels at this one.
  void retarget_ends() {
    if (is_empty()) {
      this->head_ = sentinel();
      this->tail_ = sentinel();
    } else {
      NodeTraits::node_state(*this->head_).prev_ = sentinel();
      NodeTraits::node_state(*this->tail_).next_ = sentinel();
    }
  }
};

// A list that counts its elements: size() is O(1).
template <typename PtrType, typename TagType = DefaultObjectTag>
using SizedDoublyLinkedList = DoublyLinkedList<PtrType, TagType, SizeOrder::Constant>;

// A list whose elements carry its node state where |NodeTraits| says
// (static auto& node_state(T&)).
template <typename PtrType, typename NodeTraits, SizeOrder ListSizeOrder = SizeOrder::N>
using DoublyLinkedListCustomTraits =
    DoublyLinkedList<PtrType, DefaultObjectTag, ListSizeOrder, NodeTraits>;

template <typename PtrType, typename TagType>
using TaggedDoublyLinkedList = DoublyLinkedList<PtrType, TagType>;

}  // namespace fbl

#endif  // FBL_INTRUSIVE_DOUBLE_LIST_H_
