package commands

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/secretctl/secretctl/internal/audit"
	"github.com/secretctl/secretctl/internal/config"
	"github.com/secretctl/secretctl/internal/store/local"
	"github.com/secretctl/secretctl/internal/ui"
)

// capture builds a command whose runF keeps the options it is given.
func capture[T any](newCmd func(*Factory, func(context.Context, *T) error) *cobra.Command, got *any) func(*Factory) *cobra.Command {
	return func(f *Factory) *cobra.Command {
		return newCmd(f, func(_ context.Context, o *T) error { *got = o; return nil })
	}
}

// seams are the option fields that hold the Factory's functions and
// streams; the table checks they are set, then compares the rest.
var seams = map[string]bool{"IO": true, "Store": true, "Now": true, "Getenv": true, "AWS": true, "AWSClients": true}

// TestArgvToOptions parses argv through the real root command (global
// flags and config included) into each command's options; no logic runs.
func TestArgvToOptions(t *testing.T) {
	home := t.TempDir()
	var got any
	for _, tc := range []struct {
		name  string
		build func(*Factory) *cobra.Command
		argv  []string
		want  any
		seams []string // the seams the options must carry
	}{
		{"list", capture(newListCmd, &got), []string{"list", "prod/", "--tag", "team=a", "--include-deleted", "-o", "json"},
			&ListOptions{Output: ui.FormatJSON, Prefix: "prod/", Tags: []string{"team=a"}, IncludeDeleted: true}, []string{"IO", "Store", "Now"}},
		{"get", capture(newGetCmd, &got), []string{"get", "prod/db", "--key", "password", "--stage", "AWSPREVIOUS"},
			&GetOptions{Output: ui.FormatTable, Name: "prod/db", Key: "password", Stage: "AWSPREVIOUS"}, []string{"IO", "Store", "Now"}},
		{"delete", capture(newDeleteCmd, &got), []string{"delete", "old", "--recovery-days", "7"},
			&DeleteOptions{Output: ui.FormatTable, Name: "old", RecoveryDays: 7}, []string{"IO", "Store", "Now"}},
		{"tag", capture(newTagCmd, &got), []string{"tag", "prod/db", "team=a", "env=prod"},
			&TagOptions{Output: ui.FormatTable, Name: "prod/db", Tags: map[string]string{"team": "a", "env": "prod"}}, []string{"IO", "Store", "Now"}},
		{"version", capture(newVersionCmd, &got), []string{"version", "-o", "yaml"},
			&VersionOptions{Version: "test", Output: ui.FormatYAML}, []string{"IO"}},
		{"init", capture(newInitCmd, &got), []string{"init"},
			&InitOptions{Output: ui.FormatTable, Backend: config.BackendLocal, Local: local.Options{Home: home}}, []string{"IO"}},
		{"rotate on aws", capture(newRotateCmd, &got), []string{"--backend", "aws", "rotate", "prod/db", "--timeout", "1m"},
			&RotateOptions{Output: ui.FormatTable, Name: "prod/db", Timeout: time.Minute}, []string{"IO", "Store", "Now", "AWS"}},
		{"rotate on local", capture(newRotateCmd, &got), []string{"rotate", "--due"},
			&RotateOptions{Output: ui.FormatTable, Due: true, Timeout: 5 * time.Minute}, []string{"IO", "Store", "Now"}},
		{"audit", capture(newAuditCmd, &got), []string{"--backend", "aws", "audit", "prod/db", "--region", "us-east-1,eu-west-1", "--summary", "--fail-on", "denied", "-o", "csv"},
			&AuditOptions{AWS: true, Home: home, Local: local.Options{Home: home}, Output: ui.FormatCSV, Secret: "prod/db", Since: "7d", Summary: true,
				UnusedDays: audit.DefaultUnusedDays, BurstReads: audit.DefaultBurstReads, BurstWindow: audit.DefaultBurstWindow,
				FailOn: []string{"denied"}, Regions: []string{"us-east-1", "eu-west-1"}, Timeout: DefaultAuditTimeout}, []string{"IO", "Now", "AWSClients"}},
		{"audit region from config", capture(newAuditCmd, &got), []string{"--region", "ap-south-1", "audit"},
			&AuditOptions{Home: home, Local: local.Options{Home: home}, Output: ui.FormatTable, Since: "7d",
				UnusedDays: audit.DefaultUnusedDays, BurstReads: audit.DefaultBurstReads, BurstWindow: audit.DefaultBurstWindow,
				Regions: []string{"ap-south-1"}, Timeout: DefaultAuditTimeout}, []string{"IO", "Now", "AWSClients"}},
		{"audit timeout", capture(newAuditCmd, &got), []string{"audit", "--timeout", "30s"},
			&AuditOptions{Home: home, Local: local.Options{Home: home}, Output: ui.FormatTable, Since: "7d",
				UnusedDays: audit.DefaultUnusedDays, BurstReads: audit.DefaultBurstReads, BurstWindow: audit.DefaultBurstWindow,
				Regions: []string{""}, Timeout: 30 * time.Second}, []string{"IO", "Now", "AWSClients"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got = nil
			io, _, _, _ := ui.Test()
			f := NewFactory(io, "test")
			f.Getenv = testEnv{"SECRETCTL_HOME": home, "HOME": t.TempDir(), "XDG_CONFIG_HOME": t.TempDir()}.get
			root := NewRootCmd(f)
			cmd := tc.build(f)
			for _, c := range root.Commands() {
				if c.Name() == cmd.Name() {
					root.RemoveCommand(c)
				}
			}
			root.AddCommand(cmd)
			root.SetArgs(tc.argv)
			root.SetOut(io.Out)
			root.SetErr(io.ErrOut)
			if err := root.ExecuteContext(context.Background()); err != nil {
				t.Fatal(err)
			}
			if got == nil {
				t.Fatal("runF was not called")
			}
			v := reflect.ValueOf(got).Elem()
			for _, s := range tc.seams {
				if v.FieldByName(s).IsNil() {
					t.Errorf("%s is not set", s)
				}
			}
			for i := 0; i < v.NumField(); i++ {
				name := v.Type().Field(i).Name
				if k := v.Field(i).Kind(); seams[name] && (k == reflect.Func || k == reflect.Pointer) {
					if !slices.Contains(tc.seams, name) && !v.Field(i).IsNil() {
						t.Errorf("%s is set, want nil here", name)
					}
					v.Field(i).SetZero()
				}
			}
			if i, ok := got.(*InitOptions); ok { // only Home is of interest
				i.Local = local.Options{Home: i.Local.Home}
			}
			if a, ok := got.(*AuditOptions); ok {
				a.Local = local.Options{Home: a.Local.Home}
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("options =\n%+v\nwant\n%+v", got, tc.want)
			}
		})
	}
}
