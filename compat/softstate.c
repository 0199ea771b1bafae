// SPDX-License-Identifier: GPL-2.0
/*
 * Soft state: per-instance driver data (ddi_soft_state(9F)).
 *
 * An XArray indexed by instance number holds the items; readers look up
 * without locks (RCU), as ddi_get_soft_state() is lock-free on Solaris.
 * Items are freed after an RCU grace period so a racing reader never
 * touches freed memory, although (as on Solaris) a driver must not use an
 * item after ddi_soft_state_free() of it.
 */
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/xarray.h>
#include <sys/sunddi.h>

struct i_ddi_soft_state {
	size_t size;
	struct xarray items;
};

/* An item is allocated with a header so that it can be freed by RCU. */
struct i_ddi_soft_item {
	struct rcu_head rcu;
	u64 data[] __aligned(ARCH_KMALLOC_MINALIGN);
};

/**
 * ddi_soft_state_init() - create a soft state set (ddi_soft_state_init(9F))
 * @state_p: where to store the new set; must hold NULL
 * @size:    bytes of each item (> 0)
 * @n_items: expected number of items (a hint; the set grows as needed)
 *
 * Context: process context, may sleep.
 * Return: 0, or EINVAL if @state_p is NULL, already initialised, or @size
 * is 0; ENOMEM if out of memory.  (Positive errno values, as on Solaris.)
 */
int ddi_soft_state_init(void **state_p, size_t size, size_t n_items)
{
	struct i_ddi_soft_state *ss;

	if (!state_p || *state_p || size == 0)
		return EINVAL;
	ss = kzalloc(sizeof(*ss), GFP_KERNEL);
	if (!ss)
		return ENOMEM;
	ss->size = size;
	xa_init(&ss->items);
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

	if (!ss || item < 0)
		return DDI_FAILURE;
	it = kzalloc(struct_size(it, data, 0) + ss->size, GFP_KERNEL);
	if (!it)
		return DDI_FAILURE;
	if (xa_insert(&ss->items, item, it, GFP_KERNEL)) {
		kfree(it);
		return DDI_FAILURE;
	}
	return DDI_SUCCESS;
}

/**
 * ddi_get_soft_state() - look up an item (ddi_get_soft_state(9F))
 * @state: the set
 * @item:  item number
 *
 * Context: any; takes no lock (RCU read side).
 * Return: the item's memory, or NULL if it was not allocated.
 */
void *ddi_get_soft_state(void *state, int item)
{
	struct i_ddi_soft_state *ss = state;
	struct i_ddi_soft_item *it;

	if (!ss || item < 0)
		return NULL;
	it = xa_load(&ss->items, item);
	return it ? it->data : NULL;
}

/**
 * ddi_soft_state_free() - free an item (ddi_soft_state_free(9F))
 * @state: the set
 * @item:  item number; an item that does not exist is silently ignored
 *
 * The memory is released after an RCU grace period.
 *
 * Context: process context.
 */
void ddi_soft_state_free(void *state, int item)
{
	struct i_ddi_soft_state *ss = state;
	struct i_ddi_soft_item *it;

	if (!ss || item < 0)
		return;
	it = xa_erase(&ss->items, item);
	if (it)
		kfree_rcu(it, rcu);
}

/**
 * ddi_soft_state_fini() - destroy a set (ddi_soft_state_fini(9F))
 * @state_p: the set; set to NULL on return (NULL or *NULL: no-op)
 *
 * Frees every item still allocated, then the set.
 *
 * Context: process context.
 */
void ddi_soft_state_fini(void **state_p)
{
	struct i_ddi_soft_state *ss;
	struct i_ddi_soft_item *it;
	unsigned long index;

	if (!state_p || !*state_p)
		return;
	ss = *state_p;
	xa_for_each(&ss->items, index, it) {
		xa_erase(&ss->items, index);
		kfree_rcu(it, rcu);
	}
	xa_destroy(&ss->items);
	kfree(ss);
	*state_p = NULL;
}
