package main

var botMessages = map[string][]string{}
