# BOARD=rpi4: Raspberry Pi 4 (BCM2711, 4x Cortex-A72), 64-bit Raspberry Pi OS / Debian arm64.
BOARD_DESC   := Raspberry Pi 4 (Cortex-A72, aarch64, libgpiod on gpiochip0)
BOARD_OUT    := rpi4
TRIPLET      := aarch64-linux-gnu
CROSS        := aarch64-linux-gnu-
BOARD_CFLAGS := -mcpu=cortex-a72
BOARD_STATIC := yes
GPIO_BACKEND := gpiod
RUNNER       := qemu-aarch64-static -cpu max
