// Command hello is the baseline for bench/startup.sh: the cheapest Go
// program that prints a line.
package main

import "fmt"

func main() { fmt.Println("hello") }
