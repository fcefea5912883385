/* Start-up of the emulated rv32 microcontroller (link.ld): global pointer, stack, trap vector,
 * stack painting (for the high-water figure), .data/.tdata copied from flash, .bss zeroed, tp set
 * to the thread-local block, then board_main; a trap goes to board_trap on a stack of its own. */
    .section .text.start, "ax"
    .globl _start
_start:
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    la      t0, trap_entry
    csrw    mtvec, t0
    csrw    mie, zero
    /* Paint the C stack with STACK_PAINT (board.h) word by word. */
    la      t0, __stack_bottom
    la      t1, __stack_top
    li      t2, 0xa5a5a5a5
1:  bgeu    t0, t1, 2f
    sw      t2, 0(t0)
    addi    t0, t0, 4
    j       1b
2:  la      sp, __stack_top
    /* .data and .tdata: copy their initial values from flash. */
    la      t0, __data_start
    la      t1, __data_end
    la      t2, __data_load
3:  bgeu    t0, t1, 4f
    lw      t3, 0(t2)
    sw      t3, 0(t0)
    addi    t0, t0, 4
    addi    t2, t2, 4
    j       3b
    /* .tbss (right after .tdata) and .bss: zero. */
4:  la      t0, __data_end
    la      t1, __bss_end
5:  bgeu    t0, t1, 6f
    sw      zero, 0(t0)
    addi    t0, t0, 4
    j       5b
6:  la      tp, __tls_base
    call    board_main
    call    board_exit
7:  j       7b

    .balign 4
trap_entry:
    mv      a3, ra
    mv      a4, sp
    la      sp, trap_stack_top
    csrr    a0, mcause
    csrr    a1, mepc
    csrr    a2, mtval
    call    board_trap
8:  j       8b

    .section .bss.trap_stack, "aw", @nobits
    .balign 16
    .space  512
trap_stack_top:
