module onewindow

go 1.26.0

require (
	github.com/6tail/lunar-go v1.4.7
	github.com/expr-lang/expr v1.17.8
)
