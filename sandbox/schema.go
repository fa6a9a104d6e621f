package sandbox

import "strings"

// fieldDef is one field as Describe reports it.
type fieldDef struct {
	Name        string `json:"name"`
	DisplayName string `json:"displayName"`
	DataType    string `json:"dataType"`
	Length      int    `json:"length,omitempty"`
	Updateable  bool   `json:"updateable"`
	CRMManaged  bool   `json:"crmManaged"`
}

// Lead fields, in Describe order. The index constants are how generators
// and the overlay address a lead's values.
const (
	lfID = iota
	lfEmail
	lfFirstName
	lfLastName
	lfCompany
	lfTitle
	lfPhone
	lfCity
	lfState
	lfCountry
	lfPostalCode
	lfLeadScore
	lfLeadSource
	lfLeadStatus
	lfUnsubscribed
	lfEmailInvalid
	lfCreatedAt
	lfUpdatedAt
	lfCookies
	lfLeadPartitionID
	lfIndustryTier
	lfNpsScore
	numLeadFields
)

var leadFields = [numLeadFields]fieldDef{
	lfID:              {"id", "Id", "integer", 0, false, false},
	lfEmail:           {"email", "Email Address", "email", 255, true, false},
	lfFirstName:       {"firstName", "First Name", "string", 255, true, false},
	lfLastName:        {"lastName", "Last Name", "string", 255, true, false},
	lfCompany:         {"company", "Company Name", "string", 255, true, false},
	lfTitle:           {"title", "Job Title", "string", 255, true, false},
	lfPhone:           {"phone", "Phone Number", "phone", 255, true, false},
	lfCity:            {"city", "City", "string", 255, true, false},
	lfState:           {"state", "State", "string", 255, true, false},
	lfCountry:         {"country", "Country", "string", 255, true, false},
	lfPostalCode:      {"postalCode", "Postal Code", "string", 255, true, false},
	lfLeadScore:       {"leadScore", "Lead Score", "integer", 0, true, false},
	lfLeadSource:      {"leadSource", "Lead Source", "string", 255, true, false},
	lfLeadStatus:      {"leadStatus", "Lead Status", "string", 255, true, false},
	lfUnsubscribed:    {"unsubscribed", "Unsubscribed", "boolean", 0, true, false},
	lfEmailInvalid:    {"emailInvalid", "Email Invalid", "boolean", 0, true, false},
	lfCreatedAt:       {"createdAt", "Created At", "datetime", 0, false, false},
	lfUpdatedAt:       {"updatedAt", "Updated At", "datetime", 0, false, false},
	lfCookies:         {"cookies", "Cookies", "string", 255, true, false},
	lfLeadPartitionID: {"leadPartitionId", "Lead Partition Id", "reference", 0, true, false},
	lfIndustryTier:    {"industryTier", "Industry Tier", "string", 255, true, false},
	lfNpsScore:        {"npsScore", "NPS Score", "integer", 0, true, false},
}

var leadSearchable = [][]string{{"cookies"}, {"email"}, {"id"}, {"leadPartitionId"}}

// Program member fields (Describe Program Member; the standard fields are
// not updateable, registrationCode and webinarUrl are).
const (
	pfAcquiredBy = iota
	pfAttendanceLikelihood
	pfCreatedAt
	pfIsExhausted
	pfLeadID
	pfMembershipDate
	pfNurtureCadence
	pfProgram
	pfProgramID
	pfReachedSuccess
	pfReachedSuccessDate
	pfRegistrationLikelihood
	pfStatusName
	pfStatusReason
	pfTrackName
	pfUpdatedAt
	pfWaitlistPriority
	pfRegistrationCode
	pfWebinarURL
	numPMFields
)

var pmFields = [numPMFields]fieldDef{
	pfAcquiredBy:             {"acquiredBy", "acquiredBy", "boolean", 0, false, false},
	pfAttendanceLikelihood:   {"attendanceLikelihood", "attendanceLikelihood", "integer", 0, false, false},
	pfCreatedAt:              {"createdAt", "createdAt", "datetime", 0, false, false},
	pfIsExhausted:            {"isExhausted", "isExhausted", "boolean", 0, false, false},
	pfLeadID:                 {"leadId", "leadId", "integer", 0, false, false},
	pfMembershipDate:         {"membershipDate", "membershipDate", "datetime", 0, false, false},
	pfNurtureCadence:         {"nurtureCadence", "nurtureCadence", "string", 4, false, false},
	pfProgram:                {"program", "program", "string", 255, false, false},
	pfProgramID:              {"programId", "programId", "integer", 0, false, false},
	pfReachedSuccess:         {"reachedSuccess", "reachedSuccess", "boolean", 0, false, false},
	pfReachedSuccessDate:     {"reachedSuccessDate", "reachedSuccessDate", "datetime", 0, false, false},
	pfRegistrationLikelihood: {"registrationLikelihood", "registrationLikelihood", "integer", 0, false, false},
	pfStatusName:             {"statusName", "statusName", "string", 255, false, false},
	pfStatusReason:           {"statusReason", "statusReason", "string", 255, false, false},
	pfTrackName:              {"trackName", "trackName", "string", 255, false, false},
	pfUpdatedAt:              {"updatedAt", "updatedAt", "datetime", 0, false, false},
	pfWaitlistPriority:       {"waitlistPriority", "waitlistPriority", "integer", 0, false, false},
	pfRegistrationCode:       {"registrationCode", "registrationCode", "string", 100, true, false},
	pfWebinarURL:             {"webinarUrl", "webinarUrl", "string", 2000, true, false},
}

var pmSearchable = [][]string{{"leadId"}, {"reachedSuccess"}, {"statusName"}}

// Custom object car_c.
const carAPIName = "car_c"

const (
	cfMarketoGUID = iota
	cfVin
	cfMake
	cfModel
	cfColor
	cfYear
	cfLeadID
	cfCreatedAt
	cfUpdatedAt
	numCarFields
)

var carFields = [numCarFields]fieldDef{
	cfMarketoGUID: {"marketoGUID", "Marketo GUID", "string", 36, false, false},
	cfVin:         {"vin", "VIN", "string", 255, true, false},
	cfMake:        {"make", "Make", "string", 255, true, false},
	cfModel:       {"model", "Model", "string", 255, true, false},
	cfColor:       {"color", "Color", "string", 255, true, false},
	cfYear:        {"year", "Year", "integer", 0, true, false},
	cfLeadID:      {"leadID", "Lead ID", "link", 0, true, false},
	cfCreatedAt:   {"createdAt", "Created At", "datetime", 0, false, false},
	cfUpdatedAt:   {"updatedAt", "Updated At", "datetime", 0, false, false},
}

// Activity export columns. The first eight are the default set; the rest
// must be asked for.
const (
	afMarketoGUID = iota
	afLeadID
	afActivityDate
	afActivityTypeID
	afCampaignID
	afPrimaryAttributeValueID
	afPrimaryAttributeValue
	afAttributes
	afActionResult
	numActivityFields
)

var activityColumns = [numActivityFields]string{
	"marketoGUID", "leadId", "activityDate", "activityTypeId", "campaignId",
	"primaryAttributeValueId", "primaryAttributeValue", "attributes", "actionResult",
}

const defaultActivityColumns = afActionResult

type activityAttr struct {
	Name     string `json:"name"`
	DataType string `json:"dataType"`
}

type activityType struct {
	ID               int            `json:"id"`
	Name             string         `json:"name"`
	Description      string         `json:"description"`
	PrimaryAttribute *activityAttr  `json:"primaryAttribute,omitempty"`
	Attributes       []activityAttr `json:"attributes"`

	// group is the primary-attribute asset group; types in the same group
	// may be filtered together by primary attribute (MARKETO_API.md §3.3).
	group string
}

func attrs(pairs ...string) []activityAttr {
	out := make([]activityAttr, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, activityAttr{pairs[i], pairs[i+1]})
	}
	return out
}

var (
	webAttrs   = attrs("Client IP Address", "string", "Query Parameters", "string", "Referrer URL", "string", "User Agent", "string", "Webpage URL", "string")
	formAttrs  = attrs("Client IP Address", "string", "Form Fields", "text", "Query Parameters", "string", "Referrer URL", "string", "User Agent", "string", "Webpage ID", "integer")
	mailAttrs  = attrs("Campaign Run ID", "integer", "Choice Number", "integer", "Step ID", "integer")
	openAttrs  = attrs("Campaign Run ID", "integer", "Choice Number", "integer", "Device", "string", "Is Mobile Device", "boolean", "Platform", "string", "Step ID", "integer", "User Agent", "string")
	clickAttrs = attrs("Campaign Run ID", "integer", "Choice Number", "integer", "Device", "string", "Is Mobile Device", "boolean", "Link", "string", "Platform", "string", "Step ID", "integer", "User Agent", "string")
)

// activityTypes carry Marketo's real ids and names.
var activityTypes = []activityType{
	{1, "Visit Webpage", "User visits a web page", &activityAttr{"Webpage ID", "integer"}, webAttrs, ""},
	{2, "Fill Out Form", "User fills out and submits a form on web page", &activityAttr{"Webform ID", "integer"}, formAttrs, "Web Form"},
	{6, "Send Email", "Send Marketo Email to a person", &activityAttr{"Mail ID", "integer"}, mailAttrs, ""},
	{7, "Email Delivered", "Marketo Email is delivered to a person", &activityAttr{"Mail ID", "integer"}, mailAttrs, ""},
	{10, "Open Email", "User opens Marketo Email", &activityAttr{"Mail ID", "integer"}, openAttrs, ""},
	{11, "Click Email", "User clicks on a link in a Marketo Email", &activityAttr{"Mail ID", "integer"}, clickAttrs, ""},
	{12, "New Lead", "New person", nil, attrs("Created Date", "date", "Form Name", "string", "Lead Source", "string", "List Name", "string", "Source Type", "string"), ""},
	{13, "Change Data Value", "Changed attribute value for a person", &activityAttr{"Attribute Name", "integer"}, attrs("New Value", "string", "Old Value", "string", "Reason", "string", "Source", "string"), "Attribute Name"},
	{22, "Change Score", "Change a score value", &activityAttr{"Attribute Name", "integer"}, attrs("Change Value", "string", "New Value", "integer", "Old Value", "integer", "Reason", "string"), "Attribute Name"},
	{24, "Add to List", "Add a person to a static list", &activityAttr{"List ID", "integer"}, attrs("Source", "string"), "Static List"},
	{25, "Remove from List", "Remove a person from a static list", &activityAttr{"List ID", "integer"}, attrs("Source", "string"), "Static List"},
	{37, "Delete Lead", "Delete person from Marketo", nil, attrs("Remove from CRM", "boolean"), ""},
	{104, "Change Status in Progression", "Change a person's status in a program", &activityAttr{"Program ID", "integer"}, attrs("Acquired By", "boolean", "New Status", "string", "New Status ID", "integer", "Old Status", "string", "Old Status ID", "integer", "Program Member ID", "integer", "Reason", "string", "Success", "boolean"), "Marketing Program"},
}

func activityTypeByID(id int) *activityType {
	for i := range activityTypes {
		if activityTypes[i].ID == id {
			return &activityTypes[i]
		}
	}
	return nil
}

// program is one of the sandbox's programs (ids 1001–1010).
type program struct {
	ID         int
	Name       string
	Webinar    bool
	Engagement bool
}

var programs = []program{
	{1001, "Spring Webinar 2025", true, false},
	{1002, "Product Launch Event", false, false},
	{1003, "Monthly Newsletter", false, false},
	{1004, "Trade Show Booth", false, false},
	{1005, "Partner Webinar", true, false},
	{1006, "Customer Roadshow", false, false},
	{1007, "Holiday Campaign", false, false},
	{1008, "Content Syndication", false, false},
	{1009, "Onboarding Nurture", false, true},
	{1010, "Re-engagement Nurture", false, true},
}

func programByID(id int) *program {
	for i := range programs {
		if programs[i].ID == id {
			return &programs[i]
		}
	}
	return nil
}

// pmStatusNames are Marketo's default program status names.
var pmStatusNames = []string{
	"Attended", "Attended On-demand", "Bounced", "Clicked", "Contacted", "Converted",
	"Engaged", "Filled-out Form", "Influenced", "Invited", "Member", "No Show",
	"Not in Program", "On List", "Opened", "Registered", "Registering",
	"Registration Error", "Sent", "Subscribed", "Unsubscribed", "Viewed",
	"Visited", "Visited Booth", "Waitlisted", "Web Content",
}

// canonicalStatusName matches a status name case-insensitively.
func canonicalStatusName(s string) (string, bool) {
	for _, n := range pmStatusNames {
		if strings.EqualFold(n, s) {
			return n, true
		}
	}
	return "", false
}

// successStatus is whether reaching the status counts as program success.
func successStatus(s string) bool {
	switch s {
	case "Attended", "Attended On-demand", "Engaged", "Influenced", "Converted", "Clicked", "Visited Booth":
		return true
	}
	return false
}

// Static lists 1–5 ("Static List 1" …) and, when enabled, smart lists 1–3.
const numStaticLists = 5

func staticListName(id int) string { return "Static List " + itoa(id) }

var smartListNames = []string{"All People", "Scored Leads", "Unsubscribed People"}

func lookupFieldIndex(fields []fieldDef, name string) int {
	for i := range fields {
		if fields[i].Name == name {
			return i
		}
	}
	for i := range fields {
		if strings.EqualFold(fields[i].Name, name) {
			return i
		}
	}
	return -1
}
