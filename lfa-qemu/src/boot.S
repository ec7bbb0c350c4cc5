// SPDX-License-Identifier: MIT OR Apache-2.0
// Entry point, per-CPU stacks and exception vectors of the QEMU images.
//
// Every CPU starts at _start with the MMU and caches off and DAIF masked, at
// EL3 (`-machine virt,secure=on,virtualization=on`) or at EL1 (plain `virt`).
// This file only does what must happen before Rust can run: pick a stack,
// untrap FP/SIMD (the target's code uses NEON), clear .bss once, and jump to
// `lfa_qemu_start(cpu, el)` in src/lib.rs. The exception vectors save what
// SMCCC says a callee preserves and call `lfa_qemu_lower_sync` in Rust.

    .equ STACK_SIZE, 0x10000        // must match link.ld and src/cpu.rs
    .equ MAX_CPUS, 4
    .equ LEVELS, 3                  // one stack each for EL3, EL2, EL1

    // Exception frame on the handler's stack, see `lower_sync` below:
    // x0..x17 (a `Regs`), x18 and x30, FPSR and FPCR, q0..q31.
    .equ FRAME_X18, 144
    .equ FRAME_FP, 160
    .equ FRAME_SIMD, 176
    .equ FRAME_SIZE, 176 + 512      // 688, a multiple of 16

    .section .text.boot, "ax"
    .global _start
_start:
    mrs     x19, mpidr_el1
    and     x19, x19, #0xff         // x19 = MPIDR.Aff0 = CPU index
    cmp     x19, #MAX_CPUS
    b.hs    park                    // more CPUs than stacks: never run them
    mrs     x20, CurrentEL
    lsr     x20, x20, #2            // x20 = current EL (1, 2 or 3)

    // Stack slot = cpu * 3 + (3 - el); its top is the start of the next slot.
    mov     x21, #LEVELS
    sub     x22, x21, x20           // 3 - el
    madd    x22, x19, x21, x22      // cpu * 3 + (3 - el)
    add     x22, x22, #1
    mov     x23, #STACK_SIZE
    adrp    x24, __stacks_start
    add     x24, x24, :lo12:__stacks_start
    madd    x24, x22, x23, x24      // __stacks_start + (slot + 1) * STACK_SIZE
    mov     sp, x24

    // Untrap FP/SIMD at the current EL before any compiled code runs.
    cmp     x20, #3
    b.ne    1f
    msr     cptr_el3, xzr           // EL3: no traps
    b       3f
1:  cmp     x20, #2
    b.ne    2f
    mov     x0, #0x33ff             // EL2: RES1 bits only, TFP = 0
    msr     cptr_el2, x0
    b       3f
2:  mov     x0, #(3 << 20)          // EL1: CPACR_EL1.FPEN = 0b11
    msr     cpacr_el1, x0
3:  isb

    // CPU 0 clears .bss; the others wait until it has (plain loads and
    // stores only: exclusives are unreliable with the MMU off).
    adrp    x0, bss_cleared
    add     x0, x0, :lo12:bss_cleared
    cbnz    x19, 6f
    adrp    x1, __bss_start
    add     x1, x1, :lo12:__bss_start
    adrp    x2, __bss_end
    add     x2, x2, :lo12:__bss_end
4:  cmp     x1, x2
    b.hs    5f
    str     xzr, [x1], #8           // link.ld aligns both ends to 16
    b       4b
5:  mov     w1, #1
    dsb     sy                      // the zeroes before the flag
    str     w1, [x0]
    dsb     sy
    sev                             // wake the CPUs waiting in wfe
    b       enter_rust
6:  ldr     w1, [x0]
    cbnz    w1, enter_rust
    wfe
    b       6b

enter_rust:
    mov     x0, x19                 // cpu
    mov     x1, x20                 // el
    bl      lfa_qemu_start          // never returns
park:
    wfi
    b       park

    .global lfa_qemu_park
lfa_qemu_park:                      // Rust parks unused CPUs here
    b       park

    .section .data
    .balign 4
bss_cleared:
    .word   0                       // in .data: must not be cleared itself

// ---------------------------------------------------------------------------
// Exception vectors. One table per EL; only "lower EL, AArch64, synchronous"
// (offset 0x400: an smc or hvc from below) is served, everything else stops
// the image with a report.

    .section .text.vectors, "ax"

// An entry that is not served: report kind (0..15 = entry index) and stop.
.macro unexpected_entry el, kind
    .balign 0x80
    mov     x0, #\kind
    b       unexpected_el\el
.endm

.macro vector_table el
    .balign 0x800                   // VBAR needs 2 KiB alignment
    .global lfa_qemu_vectors_el\el
lfa_qemu_vectors_el\el:
    unexpected_entry \el, 0         // current EL, SP_EL0: sync
    unexpected_entry \el, 1         //   irq
    unexpected_entry \el, 2         //   fiq
    unexpected_entry \el, 3         //   serror
    unexpected_entry \el, 4         // current EL, SP_ELx: sync
    unexpected_entry \el, 5
    unexpected_entry \el, 6
    unexpected_entry \el, 7
    .balign 0x80                    // 0x400: lower EL, AArch64: sync
    b       lower_sync_el\el
    unexpected_entry \el, 9         //   irq
    unexpected_entry \el, 10        //   fiq
    unexpected_entry \el, 11        //   serror
    unexpected_entry \el, 12        // lower EL, AArch32
    unexpected_entry \el, 13
    unexpected_entry \el, 14
    unexpected_entry \el, 15

unexpected_el\el:
    mov     x1, #\el
    mrs     x2, esr_el\el
    mrs     x3, elr_el\el
    mrs     x4, far_el\el
    bl      lfa_qemu_unexpected     // never returns
    b       park

// smc/hvc from a lower EL. The callee must preserve x18..x30 and the SIMD
// state (SMCCC 1.2); the Rust handler preserves x19..x29 itself.
lower_sync_el\el:
    sub     sp, sp, #FRAME_SIZE
    stp     x0, x1, [sp, #16 * 0]   // x0..x17 form the `Regs` block
    stp     x2, x3, [sp, #16 * 1]
    stp     x4, x5, [sp, #16 * 2]
    stp     x6, x7, [sp, #16 * 3]
    stp     x8, x9, [sp, #16 * 4]
    stp     x10, x11, [sp, #16 * 5]
    stp     x12, x13, [sp, #16 * 6]
    stp     x14, x15, [sp, #16 * 7]
    stp     x16, x17, [sp, #16 * 8]
    stp     x18, x30, [sp, #FRAME_X18]
    add     x0, sp, #FRAME_SIMD     // x0..x17 are saved: free to use
    stp     q0, q1, [x0, #32 * 0]
    stp     q2, q3, [x0, #32 * 1]
    stp     q4, q5, [x0, #32 * 2]
    stp     q6, q7, [x0, #32 * 3]
    stp     q8, q9, [x0, #32 * 4]
    stp     q10, q11, [x0, #32 * 5]
    stp     q12, q13, [x0, #32 * 6]
    stp     q14, q15, [x0, #32 * 7]
    stp     q16, q17, [x0, #32 * 8]
    stp     q18, q19, [x0, #32 * 9]
    stp     q20, q21, [x0, #32 * 10]
    stp     q22, q23, [x0, #32 * 11]
    stp     q24, q25, [x0, #32 * 12]
    stp     q26, q27, [x0, #32 * 13]
    stp     q28, q29, [x0, #32 * 14]
    stp     q30, q31, [x0, #32 * 15]
    mrs     x1, fpsr
    mrs     x2, fpcr
    stp     x1, x2, [sp, #FRAME_FP]

    mov     x0, sp                  // &mut Regs
    mrs     x1, esr_el\el           // why we are here
    mov     x2, #\el                // which EL handles it
    bl      lfa_qemu_lower_sync     // writes the results into the frame

    ldp     x1, x2, [sp, #FRAME_FP]
    msr     fpsr, x1
    msr     fpcr, x2
    add     x0, sp, #FRAME_SIMD
    ldp     q0, q1, [x0, #32 * 0]
    ldp     q2, q3, [x0, #32 * 1]
    ldp     q4, q5, [x0, #32 * 2]
    ldp     q6, q7, [x0, #32 * 3]
    ldp     q8, q9, [x0, #32 * 4]
    ldp     q10, q11, [x0, #32 * 5]
    ldp     q12, q13, [x0, #32 * 6]
    ldp     q14, q15, [x0, #32 * 7]
    ldp     q16, q17, [x0, #32 * 8]
    ldp     q18, q19, [x0, #32 * 9]
    ldp     q20, q21, [x0, #32 * 10]
    ldp     q22, q23, [x0, #32 * 11]
    ldp     q24, q25, [x0, #32 * 12]
    ldp     q26, q27, [x0, #32 * 13]
    ldp     q28, q29, [x0, #32 * 14]
    ldp     q30, q31, [x0, #32 * 15]
    ldp     x18, x30, [sp, #FRAME_X18]
    ldp     x16, x17, [sp, #16 * 8]
    ldp     x14, x15, [sp, #16 * 7]
    ldp     x12, x13, [sp, #16 * 6]
    ldp     x10, x11, [sp, #16 * 5]
    ldp     x8, x9, [sp, #16 * 4]
    ldp     x6, x7, [sp, #16 * 3]
    ldp     x4, x5, [sp, #16 * 2]
    ldp     x2, x3, [sp, #16 * 1]
    ldp     x0, x1, [sp, #16 * 0]
    add     sp, sp, #FRAME_SIZE
    eret                            // ELR already points past smc/hvc
.endm

    vector_table 3
    vector_table 2
    vector_table 1
