using System.Text.Json.Nodes;
using Granary.Silo.Configuration;

namespace Granary.Silo.Cli;

/// <summary>
/// <c>granary diff kustomization &lt;name&gt; [-n ns]</c>: like <c>flux diff kustomization</c>, what applying the current source
/// revision would change in the cluster (server-side dry-run; nothing applied or recorded): created, configured (with the
/// changed fields, Secret values masked) and deleted objects. Exit code 1 when there are differences, 0 when none.
/// </summary>
public static class DiffVerb
{
    /// <summary>The verb.</summary>
    public static ClientVerb Verb { get; } = new(
        "diff", "diff kustomization <name> [-n ns] [-o table|json|yaml]",
        "what applying the current revision would change, by server-side dry-run; exit 1 when anything would (admin)",
        [CliSession.NamespaceOption, Printing.OutputOption], RunAsync);

    private static async Task<int> RunAsync(CliSession session, CancellationToken cancellationToken)
    {
        var format = Printing.FormatOf(session.Arguments);
        var diff = await session.Api.GetJsonAsync(session.ResourcePath(session.Required(0, "<kind> (kustomization)"), session.Required(1, "<name>"), "diff"), cancellationToken, ApiRole.Admin);
        var objects = (diff["objects"] as JsonArray ?? []).Where(o => o is not null).Select(o => o!).ToList();
        var changed = objects.Where(o => Printing.Text(o, "action") != "unchanged").ToList();
        if (format != OutputFormat.Table)
        {
            await Printing.WriteAsync(session.Output, diff, format);
            return changed.Count > 0 ? 1 : 0;
        }

        var output = session.Output;
        foreach (var item in changed)
        {
            var @namespace = Printing.Text(item, "namespace");
            var note = Printing.Text(item, "message") is { } message ? $" ({message})" : string.Empty;
            await output.WriteLineAsync($"► {Printing.Text(item, "kind")}/{(string.IsNullOrEmpty(@namespace) ? string.Empty : @namespace + "/")}{Printing.Text(item, "name")} {Printing.Text(item, "action")}{note}");
            foreach (var field in item["fields"] as JsonArray ?? [])
            {
                await output.WriteLineAsync($"  {Printing.Text(field, "path")}");
                if (Printing.Text(field, "before") is { } before)
                {
                    await output.WriteLineAsync($"    - {before}");
                }

                if (Printing.Text(field, "after") is { } after)
                {
                    await output.WriteLineAsync($"    + {after}");
                }
            }
        }

        var counts = string.Join(", ", new[] { "created", "configured", "deleted", "failed", "unchanged" }.Select(a => $"{objects.Count(o => Printing.Text(o, "action") == a)} {a}"));
        await output.WriteLineAsync($"{(changed.Count == 0 ? "no changes" : "changes")} at revision {Printing.Text(diff, "revision")}: {counts}");
        return changed.Count > 0 ? 1 : 0;
    }
}
