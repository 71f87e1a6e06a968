# BOARD=sim: the development host itself, with simulated GPIO. Builds into build/host.
# x86-64-v3 (AVX2), not -march=native: valgrind cannot run AVX-512 code, and every machine builds the same.
BOARD_DESC   := host build with simulated GPIO (development, tests, make run)
BOARD_OUT    := host
TRIPLET      := $(shell gcc -dumpmachine)
CROSS        :=
BOARD_CFLAGS := -march=x86-64-v3 -DEB_BOARD_SIM=1
BOARD_STATIC := no
GPIO_BACKEND := sim
RUNNER       :=
