# BOARD=sim: the development host itself, with simulated GPIO. Builds into build/host.
BOARD_DESC   := host build with simulated GPIO (development, tests, make run)
BOARD_OUT    := host
TRIPLET      := $(shell gcc -dumpmachine)
CROSS        :=
BOARD_CFLAGS := -march=native -DEB_BOARD_SIM=1
BOARD_STATIC := no
GPIO_BACKEND := sim
RUNNER       :=
