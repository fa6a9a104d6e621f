package sandbox

import (
	"time"
	_ "time/tzdata" // America/Chicago must resolve on hosts without zoneinfo
)

func mustLoadChicago() *time.Location {
	loc, err := time.LoadLocation("America/Chicago")
	if err != nil {
		panic("sandbox: " + err.Error())
	}
	return loc
}
