#pragma once
// The instruction set the loaded library was compiled for.
//
// A default (dispatch) build installs librsnn three times: for baseline
// x86-64, x86-64-v3 (AVX2, FMA) and x86-64-v4 (AVX-512), the last two in
// glibc-hwcaps/<level>/ beside it. The dynamic loader picks the best one the
// CPU supports when the process starts, so this answers "x86-64", "x86-64-v3"
// or "x86-64-v4" according to the machine; a -DRSNN_ISA=native build answers
// "native". Run files record it: results of different variants may differ in
// the last bits (other vector widths sum in other orders).
namespace rsnn {

// Defined in the library (never inline): the answer is the loaded variant's.
const char* instruction_set();

}  // namespace rsnn
