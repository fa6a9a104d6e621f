package marketo

import (
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// This file maps objects to their endpoints. Marketo's paths differ per
// object in ways that are easy to get wrong (program members are
// "program/members" in bulk paths and "programs/members" in describe), so
// every path is built here and nowhere else.

// Leads, Activities and ProgramMembers are the standard bulk objects.
var (
	Leads          = Object{Kind: ObjectLeads}
	Activities     = Object{Kind: ObjectActivities}
	ProgramMembers = Object{Kind: ObjectProgramMembers}
)

// CustomObject names a custom object by API name ("car_c").
func CustomObject(apiName string) Object {
	return Object{Kind: ObjectCustomObject, APIName: apiName}
}

// String is the object as users write it: "leads", "customObject:car_c".
func (o Object) String() string {
	if o.Kind == ObjectCustomObject {
		return ObjectCustomObject + ":" + o.APIName
	}
	return o.Kind
}

var apiNamePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

// ParseObject reads "leads", "activities", "programMembers",
// "customObject:car_c", or a bare custom object API name ending in "_c".
func ParseObject(s string) (Object, error) {
	switch s {
	case ObjectLeads, ObjectActivities, ObjectProgramMembers:
		return Object{Kind: s}, nil
	}
	if name, ok := strings.CutPrefix(s, ObjectCustomObject+":"); ok {
		o := CustomObject(name)
		return o, o.validate()
	}
	if strings.HasSuffix(s, "_c") && apiNamePattern.MatchString(s) {
		return CustomObject(s), nil
	}
	return Object{}, fmt.Errorf("unknown object %q: want leads, activities, programMembers, or customObject:API_NAME (e.g. customObject:car_c)", s)
}

func (o Object) validate() error {
	switch o.Kind {
	case ObjectLeads, ObjectActivities, ObjectProgramMembers:
		return nil
	case ObjectCustomObject:
		if !apiNamePattern.MatchString(o.APIName) {
			return fmt.Errorf("marketo: custom object API name %q is not valid", o.APIName)
		}
		return nil
	}
	return fmt.Errorf("marketo: unknown object kind %q", o.Kind)
}

// exportPrefix is the bulk extract path prefix of o (MARKETO_API.md §3.1).
func exportPrefix(o Object) (string, error) {
	if err := o.validate(); err != nil {
		return "", err
	}
	switch o.Kind {
	case ObjectLeads:
		return "/bulk/v1/leads/export", nil
	case ObjectActivities:
		return "/bulk/v1/activities/export", nil
	case ObjectProgramMembers:
		return "/bulk/v1/program/members/export", nil
	default:
		return "/bulk/v1/customobjects/" + url.PathEscape(o.APIName) + "/export", nil
	}
}

// exportJobPath is prefix/{exportId}/{action}.json.
func exportJobPath(o Object, exportID, action string) (string, error) {
	prefix, err := exportPrefix(o)
	if err != nil {
		return "", err
	}
	if exportID == "" || strings.ContainsAny(exportID, "/?#") {
		return "", fmt.Errorf("marketo: invalid export id %q", exportID)
	}
	return prefix + "/" + url.PathEscape(exportID) + "/" + action + ".json", nil
}

// importCreatePath is the multipart upload path (MARKETO_API.md §4.2).
func importCreatePath(o Object, programID int) (string, error) {
	if err := o.validate(); err != nil {
		return "", err
	}
	switch o.Kind {
	case ObjectLeads:
		return "/bulk/v1/leads.json", nil
	case ObjectProgramMembers:
		if programID <= 0 {
			return "", fmt.Errorf("marketo: program member import needs a ProgramID")
		}
		return "/bulk/v1/program/" + strconv.Itoa(programID) + "/members/import.json", nil
	case ObjectCustomObject:
		return "/bulk/v1/customobjects/" + url.PathEscape(o.APIName) + "/import.json", nil
	}
	return "", fmt.Errorf("marketo: %s cannot be imported in bulk", o)
}

// importBatchPath is the status ("" action), failures or warnings path of a batch.
func importBatchPath(o Object, batchID int, action string) (string, error) {
	if err := o.validate(); err != nil {
		return "", err
	}
	if batchID <= 0 {
		return "", fmt.Errorf("marketo: invalid import batch id %d", batchID)
	}
	id := strconv.Itoa(batchID)
	switch o.Kind {
	case ObjectLeads:
		if action == "status" {
			return "/bulk/v1/leads/batch/" + id + ".json", nil
		}
		return "/bulk/v1/leads/batch/" + id + "/" + action + ".json", nil
	case ObjectProgramMembers:
		return "/bulk/v1/program/members/import/" + id + "/" + action + ".json", nil
	case ObjectCustomObject:
		return "/bulk/v1/customobjects/" + url.PathEscape(o.APIName) + "/import/" + id + "/" + action + ".json", nil
	}
	return "", fmt.Errorf("marketo: %s cannot be imported in bulk", o)
}
