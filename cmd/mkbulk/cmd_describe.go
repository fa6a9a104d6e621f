package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"

	"github.com/mkbulk/mkbulk/marketo"
)

// cmdDescribe prints live describe output for one object: its fields (name,
// display name, type, length, updateable), or for activities the activity
// types (id, name, primary attribute). -json prints the typed result.
func cmdDescribe(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "describe", "leads|programMembers|activities|customObject:API_NAME")
	asJSON := fs.Bool("json", false, "print the describe result as JSON")
	if ok, code := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return exitError
	}
	obj, err := marketo.ParseObject(fs.Arg(0))
	if err != nil {
		code := e.errorf("%v", err)
		if s := suggest(fs.Arg(0), []string{marketo.ObjectLeads, marketo.ObjectProgramMembers, marketo.ObjectActivities}); s != "" {
			fmt.Fprintf(e.stderr, "\thint: did you mean %q?\n", s)
		}
		return code
	}
	client, err := newClient(e)
	if err != nil {
		return e.errorf("%v", err)
	}
	if obj.Kind == marketo.ObjectActivities {
		types, _, err := client.Describe.ActivityTypes(ctx)
		if err != nil {
			return e.errorf("describing activity types: %v", err)
		}
		if *asJSON {
			return printJSON(e, types)
		}
		printActivityTypes(e.stdout, types)
		return exitOK
	}
	desc, _, err := client.Describe.Object(ctx, obj)
	if err != nil {
		return e.errorf("describing %s: %v", obj, err)
	}
	if *asJSON {
		return printJSON(e, desc)
	}
	printFields(e.stdout, desc)
	return exitOK
}

func printJSON(e *env, v any) int {
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return e.errorf("%v", err)
	}
	return exitOK
}

func printFields(w io.Writer, d *marketo.ObjectDescription) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tDISPLAY NAME\tTYPE\tLENGTH\tUPDATEABLE")
	for _, f := range d.Fields {
		length := "-"
		if f.Length > 0 {
			length = strconv.Itoa(f.Length)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%t\n", f.Name, f.DisplayName, f.DataType, length, f.Updateable)
	}
	tw.Flush()
}

func printActivityTypes(w io.Writer, types []marketo.ActivityType) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tPRIMARY ATTRIBUTE")
	for _, t := range types {
		primary := "-"
		if t.PrimaryAttribute != nil {
			primary = t.PrimaryAttribute.Name + " (" + t.PrimaryAttribute.DataType + ")"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\n", t.ID, t.Name, primary)
	}
	tw.Flush()
}
