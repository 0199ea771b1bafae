// SPDX-License-Identifier: GPL-2.0
/*
 * Data model of the calling thread (ddi_model_convert_from(9F),
 * ddi_mmap_get_model(9F)).
 *
 * Linux knows a thread's model per system call: in_compat_syscall() is true
 * while a 32-bit (ia32 or x32) process is in a system call on a 64-bit
 * kernel.  Both ILP32 ABIs have 32-bit longs and pointers, so both are
 * DDI_MODEL_ILP32.
 */
#include <linux/compat.h>
#include <sys/sunddi.h>
#include "impl.h"

/**
 * ddi_model_convert_from() - does a structure need converting? (9F)
 * @model: a data model: devmap(9E)'s model argument, or mode & FMODELS of
 *         ioctl(9E)
 *
 * Context: any.
 * Return: DDI_MODEL_ILP32 if @model is ILP32 (the caller's structures have
 * the 32-bit layout and this kernel is 64-bit), else DDI_MODEL_NONE.
 */
__ddi_hot model_t ddi_model_convert_from(model_t model)
{
	if (IS_ENABLED(CONFIG_64BIT) &&
	    (model & DDI_MODEL_MASK) == DDI_MODEL_ILP32)
		return DDI_MODEL_ILP32;
	return DDI_MODEL_NONE;
}

/**
 * ddi_mmap_get_model() - data model of the current thread (9F)
 *
 * Meaningful inside a system call (mmap, ioctl, ...), which is where the
 * entry points that use it run.
 *
 * Context: process context (system call).
 * Return: DDI_MODEL_ILP32 for a 32-bit caller, else DDI_MODEL_NATIVE
 * (DDI_MODEL_LP64 on 64-bit kernels).
 */
__ddi_hot model_t ddi_mmap_get_model(void)
{
	return i_ddi_mmap_model();
}

/**
 * get_udatamodel() - data model of the current process (Solaris'
 * get_udatamodel())
 *
 * Context: process context (system call).
 * Return: DATAMODEL_ILP32 or DATAMODEL_NATIVE, as ddi_mmap_get_model().
 */
model_t get_udatamodel(void)
{
	return ddi_mmap_get_model();
}
