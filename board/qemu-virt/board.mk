# BOARD=qemu-virt: qemu-system-aarch64 -M virt (generic Armv8-A), for system tests; GPIO via gpio-sim
# or the PL061 on the virt machine: the kill switch on line 3 (QMP system_powerdown pulses it), the LEDs
# on lines 0-2 (pins.json).
BOARD_DESC   := QEMU virt machine (generic armv8-a, aarch64, PL061 / gpio-sim)
BOARD_OUT    := qemu-virt
TRIPLET      := aarch64-linux-gnu
CROSS        := aarch64-linux-gnu-
BOARD_CFLAGS := -march=armv8-a
BOARD_STATIC := yes
GPIO_BACKEND := gpiod
RUNNER       := qemu-aarch64-static -cpu max
