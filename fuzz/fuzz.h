/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* libFuzzer entry points. Every fuzz-*.c defines LLVMFuzzerTestOneInput (and
 * may define LLVMFuzzerInitialize); test/test-regressions.c includes the same
 * files with these names redefined, so the committed corpora and regression
 * inputs are fed through exactly the code the fuzzers run. */

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Larger inputs only slow the fuzzer down; the parsers' size limits are tested
 * by the unit tests and the fail-closed matrix. */
#define FUZZ_MAX_INPUT (256U * 1024U)
