// SPDX-License-Identifier: MIT OR Apache-2.0
// Entry points and exception vectors of lfa-conformance.
//
// The image is entered by someone else's firmware at NS-EL2 or NS-EL1 with
// the MMU off: the boot CPU at _start (x0 = whatever the firmware passes, a
// device tree address for example; kept for lfac_start), every other CPU at
// lfac_secondary_entry through PSCI CPU_ON with x0 = the context id, which
// the image sets to the CPU's logical index. Before any compiled code runs
// this picks the CPU's stack, untraps FP/SIMD at the current level (firmware
// may leave them trapped; the target's code uses NEON), and the boot CPU
// clears .bss. Then lfac_start(cpu, el, x0 at entry) in src/main.rs.

    .equ STACK_SIZE, 0x10000        // must match link.ld.in and src/cpus.rs
    .equ MAX_CPUS, 8

    .section .text.boot, "ax"
    .global _start
_start:
    mov     x19, #0                 // the boot CPU is logical CPU 0
    mov     x21, x0                 // the firmware's x0 (a DTB address?)
    b       common

    .global lfac_secondary_entry
lfac_secondary_entry:
    mov     x19, x0                 // context id = logical CPU index
    mov     x21, #0
    cbz     x19, hang               // index 0 is the boot CPU's: refuse

common:
    cmp     x19, #MAX_CPUS
    b.hs    hang                    // no stack for it
    adrp    x1, __stacks_start
    add     x1, x1, :lo12:__stacks_start
    add     x2, x19, #1
    mov     x3, #STACK_SIZE
    madd    x1, x2, x3, x1          // top of this CPU's stack

    // Caches: this CPU writes with the MMU off (non-cacheable) what it later
    // reads with the caches on, so stale lines of the firmware's must not
    // survive. The boot CPU invalidates the whole image to the point of
    // coherency (the firmware cleaned the loaded part there before jumping
    // to it; .bss and the stacks are ours to discard), a secondary its own
    // stack. Nothing has been stored yet. (QEMU models no caches: this is for
    // hardware.)
    sub     x2, x1, x3              // this CPU's stack bottom
    cbnz    x19, 7f
    adrp    x2, __image_start
    add     x2, x2, :lo12:__image_start
    adrp    x1, __image_end
    add     x1, x1, :lo12:__image_end
7:  mrs     x4, ctr_el0
    ubfx    x4, x4, #16, #4         // DminLine: log2(words per line)
    mov     x5, #4
    lsl     x5, x5, x4              // line size in bytes
    sub     x6, x5, #1
    bic     x2, x2, x6              // align down
8:  cmp     x2, x1
    b.hs    9f
    dc      ivac, x2
    add     x2, x2, x5
    b       8b
9:  dsb     sy

    adrp    x1, __stacks_start      // recompute the stack top
    add     x1, x1, :lo12:__stacks_start
    add     x2, x19, #1
    mov     x3, #STACK_SIZE
    madd    x1, x2, x3, x1
    mov     sp, x1

    mrs     x20, CurrentEL
    lsr     x20, x20, #2            // 1, 2 or 3
    cmp     x20, #3
    b.ne    1f
    msr     cptr_el3, xzr           // entered at EL3 by mistake: still report it
    b       3f
1:  cmp     x20, #2
    b.ne    2f
    mov     x1, #0x33ff             // CPTR_EL2: RES1 bits, TFP = 0
    msr     cptr_el2, x1
    b       3f
2:  mov     x1, #(3 << 20)          // CPACR_EL1.FPEN = 0b11
    msr     cpacr_el1, x1
3:  isb

    cbnz    x19, 5f                 // secondaries: .bss is long cleared
    adrp    x1, __bss_start
    add     x1, x1, :lo12:__bss_start
    adrp    x2, __bss_end
    add     x2, x2, :lo12:__bss_end
4:  cmp     x1, x2
    b.hs    5f
    str     xzr, [x1], #8           // both ends are 16-byte aligned
    b       4b
5:  mov     x0, x19
    mov     x1, x20
    mov     x2, x21
    bl      lfac_start              // never returns
hang:
    wfi
    b       hang

    .global lfac_hang
lfac_hang:
    b       hang

// ---------------------------------------------------------------------------
// One vector table, installed at the level the image runs at (VBAR_EL2 or
// VBAR_EL1). The image takes no exception on purpose: every entry reports
// what happened (an smc or hvc nobody answers, a fault, an interrupt) and
// stops the run with a failure.

    .section .text.vectors, "ax"

.macro entry kind
    .balign 0x80
    mov     x0, #\kind
    b       report
.endm

    .balign 0x800
    .global lfac_vectors
lfac_vectors:
    entry 0
    entry 1
    entry 2
    entry 3
    entry 4
    entry 5
    entry 6
    entry 7
    entry 8
    entry 9
    entry 10
    entry 11
    entry 12
    entry 13
    entry 14
    entry 15

report:
    bl      lfac_exception          // never returns
    b       hang
