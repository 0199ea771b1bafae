// SPDX-License-Identifier: GPL-2.0
/*
 * Soft state: per-instance driver data (ddi_soft_state(9F)).
 *
 * As in illumos, the items hang off an array of pointers indexed by item
 * number that grows by powers of two, and ddi_get_soft_state() is a bounds
 * check and one load: no lock, no call.  A grown array replaces the current
 * one, which stays allocated (on the new one's @old list) until
 * ddi_soft_state_fini(), as illumos keeps its "dirty" arrays, so a reader
 * that loaded it never touches freed memory.  Items are freed after an RCU
 * grace period; as on Solaris, a driver must not use an item after
 * ddi_soft_state_free() of it.
 */
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <sys/sunddi.h>
#include "impl.h"

/* An item is allocated with a header so that it can be freed by RCU. */
struct i_ddi_soft_item {
	struct rcu_head rcu;
	u64 data[] __aligned(ARCH_KMALLOC_MINALIGN);
};

/* One generation of the pointer array. */
struct i_ddi_soft_array {
	struct i_ddi_soft_array *old;	/* the generation this one replaced */
	size_t n_items;
	struct i_ddi_soft_item *items[];
};

/**
 * struct i_ddi_soft_state - a soft state set
 * @size:  bytes of each item
 * @lock:  serialises ddi_soft_state_zalloc() and ddi_soft_state_free()
 * @array: the current array; replaced (release) under @lock, read
 *         (acquire) without it
 */
struct i_ddi_soft_state {
	size_t size;
	struct mutex lock;	/* serialises changes of the items and array */
	struct i_ddi_soft_array *array;
};

/* A zeroed array of @n_items pointers (a power of two), or NULL. */
static struct i_ddi_soft_array *i_ddi_soft_array_alloc(size_t n_items)
{
	struct i_ddi_soft_array *arr;

	arr = kvzalloc(struct_size(arr, items, n_items),
		       GFP_KERNEL | __GFP_NOWARN);
	if (arr)
		arr->n_items = n_items;
	return arr;
}

/*
 * Make the current array of @ss hold @item: replace it by one of the next
 * power of two items, the old one kept.  Called with ss->lock held.
 */
static int i_ddi_soft_state_grow(struct i_ddi_soft_state *ss, int item)
{
	struct i_ddi_soft_array *cur = ss->array, *arr;

	if ((size_t)item < cur->n_items)
		return 0;
	arr = i_ddi_soft_array_alloc(roundup_pow_of_two((size_t)item + 1));
	if (!arr)
		return -ENOMEM;
	memcpy(arr->items, cur->items, cur->n_items * sizeof(cur->items[0]));
	arr->old = cur;
	/* readers that see @arr see the pointers copied into it */
	smp_store_release(&ss->array, arr);
	return 0;
}

/**
 * ddi_soft_state_init() - create a soft state set (ddi_soft_state_init(9F))
 * @state_p: where to store the new set; must hold NULL
 * @size:    bytes of each item (> 0)
 * @n_items: expected number of items (a hint: the array starts with that
 *           many rounded up to a power of two, and grows as needed)
 *
 * Context: process context, may sleep.
 * Return: 0, or EINVAL if @state_p is NULL, already initialised, or @size
 * is 0; ENOMEM if out of memory (for an array of @n_items).  (Positive
 * errno values, as on Solaris.)
 */
int ddi_soft_state_init(void **state_p, size_t size, size_t n_items)
{
	struct i_ddi_soft_state *ss;

	if (!state_p || *state_p || size == 0)
		return EINVAL;
	ss = kzalloc(sizeof(*ss), GFP_KERNEL);
	if (!ss)
		return ENOMEM;
	n_items = clamp_t(size_t, n_items, 1, INT_MAX);
	ss->array = i_ddi_soft_array_alloc(roundup_pow_of_two(n_items));
	if (!ss->array) {
		kfree(ss);
		return ENOMEM;
	}
	ss->size = size;
	mutex_init(&ss->lock);
	*state_p = ss;
	return 0;
}

/**
 * ddi_soft_state_zalloc() - allocate an item (ddi_soft_state_zalloc(9F))
 * @state: the set from ddi_soft_state_init()
 * @item:  item number (instance), >= 0
 *
 * The item's memory is zeroed.
 *
 * Context: process context, may sleep.
 * Return: DDI_SUCCESS, or DDI_FAILURE if the item exists already, @item is
 * negative or memory is short.
 */
int ddi_soft_state_zalloc(void *state, int item)
{
	struct i_ddi_soft_state *ss = state;
	struct i_ddi_soft_item *it;
	int ret = DDI_FAILURE;

	if (!ss || item < 0)
		return DDI_FAILURE;
	it = kzalloc(struct_size(it, data, 0) + ss->size, GFP_KERNEL);
	if (!it)
		return DDI_FAILURE;
	mutex_lock(&ss->lock);
	if (!i_ddi_soft_state_grow(ss, item) && !ss->array->items[item]) {
		/* readers that see @it see it zeroed */
		smp_store_release(&ss->array->items[item], it);
		it = NULL;
		ret = DDI_SUCCESS;
	}
	mutex_unlock(&ss->lock);
	kfree(it);
	return ret;
}

/**
 * ddi_get_soft_state() - look up an item (ddi_get_soft_state(9F))
 * @state: the set
 * @item:  item number
 *
 * Context: any; takes no lock.
 * Return: the item's memory, or NULL if it was not allocated.
 */
__ddi_hot void *ddi_get_soft_state(void *state, int item)
{
	struct i_ddi_soft_state *ss = state;
	struct i_ddi_soft_array *arr;
	struct i_ddi_soft_item *it;

	if (!ss || item < 0)
		return NULL;
	/* pairs with the release in i_ddi_soft_state_grow() */
	arr = smp_load_acquire(&ss->array);
	if ((size_t)item >= arr->n_items)
		return NULL;
	it = READ_ONCE(arr->items[item]);
	return it ? it->data : NULL;
}

/**
 * ddi_soft_state_free() - free an item (ddi_soft_state_free(9F))
 * @state: the set
 * @item:  item number; an item that does not exist is silently ignored
 *
 * The memory is released after an RCU grace period.
 *
 * Context: process context, may sleep.
 */
void ddi_soft_state_free(void *state, int item)
{
	struct i_ddi_soft_state *ss = state;
	struct i_ddi_soft_item *it = NULL;

	if (!ss || item < 0)
		return;
	mutex_lock(&ss->lock);
	if ((size_t)item < ss->array->n_items) {
		it = ss->array->items[item];
		WRITE_ONCE(ss->array->items[item], NULL);
	}
	mutex_unlock(&ss->lock);
	if (it)
		kfree_rcu(it, rcu);
}

/**
 * ddi_soft_state_fini() - destroy a set (ddi_soft_state_fini(9F))
 * @state_p: the set; set to NULL on return (NULL or *NULL: no-op)
 *
 * Frees every item still allocated, then the set with every array it had.
 * No lookup may run any more.
 *
 * Context: process context.
 */
void ddi_soft_state_fini(void **state_p)
{
	struct i_ddi_soft_state *ss;
	struct i_ddi_soft_array *arr, *old;
	size_t i;

	if (!state_p || !*state_p)
		return;
	ss = *state_p;
	arr = ss->array;
	for (i = 0; i < arr->n_items; i++)
		if (arr->items[i])
			kfree_rcu(arr->items[i], rcu);
	for (; arr; arr = old) {
		old = arr->old;
		kvfree(arr);
	}
	mutex_destroy(&ss->lock);
	kfree(ss);
	*state_p = NULL;
}
