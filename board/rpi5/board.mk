# BOARD=rpi5: Raspberry Pi 5 (BCM2712, 4x Cortex-A76). GPIO lives on the RP1 south bridge (gpiochip4 on
# kernels before 6.6.y's renumbering, gpiochip0 after); the board file names the chip by label.
BOARD_DESC   := Raspberry Pi 5 (Cortex-A76, aarch64, libgpiod on the RP1 chip)
BOARD_OUT    := rpi5
TRIPLET      := aarch64-linux-gnu
CROSS        := aarch64-linux-gnu-
BOARD_CFLAGS := -mcpu=cortex-a76
BOARD_STATIC := yes
GPIO_BACKEND := gpiod
RUNNER       := qemu-aarch64-static -cpu max
