package sandbox

import (
	"encoding/json"
	"strings"
	"time"
)

// parseFilterKey validates one filter entry (MARKETO_API.md §3.3).
func (sp *exportSpec) parseFilterKey(k string, v json.RawMessage, smartLists bool) *specError {
	switch k {
	case "createdAt", "updatedAt":
		r, err := parseRange(k, v)
		if err != nil {
			return err
		}
		if k == "createdAt" {
			sp.created = r
		} else {
			sp.updated = r
		}
	case "staticListId":
		var id int
		if json.Unmarshal(v, &id) != nil || id < 1 || id > numStaticLists {
			return invalid("Static list not found: " + string(v))
		}
		sp.staticList = id
	case "staticListName":
		var name string
		json.Unmarshal(v, &name)
		for id := 1; id <= numStaticLists; id++ {
			if strings.EqualFold(staticListName(id), name) {
				sp.staticList = id
			}
		}
		if sp.staticList == 0 {
			return invalid("Static list not found: " + string(v))
		}
	case "smartListId", "smartListName":
		if !smartLists {
			return &specError{"1035", msgUnsupported}
		}
		if k == "smartListId" {
			var id int
			if json.Unmarshal(v, &id) != nil || id < 1 || id > len(smartListNames) {
				return invalid("Smart list not found: " + string(v))
			}
			sp.smartList = id
		} else {
			var name string
			json.Unmarshal(v, &name)
			for i, n := range smartListNames {
				if strings.EqualFold(n, name) {
					sp.smartList = i + 1
				}
			}
			if sp.smartList == 0 {
				return invalid("Smart list not found: " + string(v))
			}
		}
	case "activityTypeIds":
		var ids []int
		if json.Unmarshal(v, &ids) != nil {
			return invalid("Invalid activityTypeIds")
		}
		sp.activityTypes = map[int]bool{}
		for _, id := range ids {
			switch t := activityTypeByID(id); {
			case t == nil:
				return invalid("Invalid activity type id " + itoa(id))
			case id == 37:
				return invalid("Activity type 37 (Delete Lead) is not supported; use Get Deleted Leads")
			}
			sp.activityTypes[id] = true
		}
	case "primaryAttributeValueIds":
		var ids []int
		if json.Unmarshal(v, &ids) != nil || len(ids) == 0 || len(ids) > 50 {
			return invalid("primaryAttributeValueIds must hold 1 to 50 integers")
		}
		sp.pavIDs = map[int]bool{}
		for _, id := range ids {
			sp.pavIDs[id] = true
		}
	case "primaryAttributeValues":
		var names []string
		if json.Unmarshal(v, &names) != nil || len(names) == 0 || len(names) > 50 {
			return invalid("primaryAttributeValues must hold 1 to 50 strings")
		}
		sp.pavNames = map[string]bool{}
		for _, n := range names {
			sp.pavNames[strings.ToLower(n)] = true
		}
	case "programId":
		if sp.programIDs != nil {
			return invalid("programId and programIds cannot be used together")
		}
		var id int
		if json.Unmarshal(v, &id) != nil || programByID(id) == nil {
			return invalid("Invalid programId " + string(v))
		}
		sp.programIDs = []int{id}
	case "programIds":
		if sp.programIDs != nil {
			return invalid("programId and programIds cannot be used together")
		}
		var ids []int
		if json.Unmarshal(v, &ids) != nil || len(ids) == 0 || len(ids) > 10 {
			return invalid("programIds must hold 1 to 10 program ids")
		}
		for _, id := range ids {
			if programByID(id) == nil {
				return invalid("Invalid programId " + itoa(id))
			}
		}
		sp.programIDs = ids
		sp.multiProgram = true
	case "isExhausted":
		var b bool
		if json.Unmarshal(v, &b) != nil {
			return invalid("isExhausted must be a boolean")
		}
		sp.isExhausted = &b
	case "nurtureCadence":
		var c string
		json.Unmarshal(v, &c)
		switch strings.ToLower(c) {
		case "norm":
			sp.cadence = "norm"
		case "paus", "pause":
			sp.cadence = "paus"
		default:
			return invalid("Invalid nurtureCadence " + string(v))
		}
	case "statusNames":
		var names []string
		if json.Unmarshal(v, &names) != nil || len(names) == 0 {
			return invalid("statusNames must hold status names")
		}
		sp.statusNames = map[string]bool{}
		for _, n := range names {
			canon, ok := canonicalStatusName(n)
			if !ok {
				return invalid("Invalid Data")
			}
			sp.statusNames[canon] = true
		}
	}
	return nil
}

// parseRange reads {"startAt","endAt"}: inclusive, at most 31 days,
// timestamps without an offset are GMT.
func parseRange(key string, v json.RawMessage) (*timeRange, *specError) {
	var r struct {
		StartAt string `json:"startAt"`
		EndAt   string `json:"endAt"`
	}
	if json.Unmarshal(v, &r) != nil {
		return nil, invalid(key + " must be {\"startAt\":...,\"endAt\":...}")
	}
	start, ok1 := parseFilterTime(r.StartAt)
	end, ok2 := parseFilterTime(r.EndAt)
	if !ok1 || !ok2 {
		return nil, invalid("Invalid date format in " + key + " filter: startAt and endAt must be ISO-8601 datetimes")
	}
	if end.Before(start) {
		return nil, invalid(key + " endAt must not be before startAt")
	}
	if end.Sub(start) > maxRangeSpan {
		return nil, invalid(key + " date range exceeds 31 days")
	}
	return &timeRange{start.Unix(), end.Unix()}, nil
}

var filterTimeLayouts = []string{time.RFC3339, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05", "2006-01-02"}

func parseFilterTime(s string) (time.Time, bool) {
	for _, l := range filterTimeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
