using System.Text.Json.Nodes;

namespace Granary.Silo.Cli;

/// <summary><c>granary delete|reconcile|suspend|resume &lt;kind&gt; &lt;name&gt;</c>: one change to one resource, printing its state afterwards.</summary>
public static class ResourceActionVerbs
{
    private static readonly CliOption WithSource = new("--with-source", null, false, "fetch the Kustomization's source first");
    private static readonly CliOption Reason = new("--reason", null, true, "why it is suspended (recorded on the event)");

    /// <summary><c>delete</c>.</summary>
    public static ClientVerb Delete { get; } = new(
        "delete", "delete <kind> <name> [-n ns]", "delete a resource (admin)", [CliSession.NamespaceOption],
        (session, cancellationToken) => ActAsync(session, "deleted", (api, path) => api.DeleteAsync(path, cancellationToken)));

    /// <summary><c>reconcile</c>.</summary>
    public static ClientVerb Reconcile { get; } = new(
        "reconcile", "reconcile <kind> <name> [-n ns] [--with-source]", "reconcile now (admin)", [CliSession.NamespaceOption, WithSource],
        (session, cancellationToken) => ActAsync(session, "reconcile requested",
            (api, path) => api.PostAsync(path + "/reconcile" + (session.Arguments.Flag(WithSource.Name) ? "?withSource=true" : string.Empty), null, cancellationToken)));

    /// <summary><c>suspend</c>.</summary>
    public static ClientVerb Suspend { get; } = new(
        "suspend", "suspend <kind> <name> [-n ns] [--reason text]", "stop reconciling (admin)", [CliSession.NamespaceOption, Reason],
        (session, cancellationToken) => ActAsync(session, "suspended",
            (api, path) => api.PostAsync(path + "/suspend" + (session.Arguments.Value(Reason.Name) is { } reason ? $"?reason={Uri.EscapeDataString(reason)}" : string.Empty), null, cancellationToken)));

    /// <summary><c>resume</c>.</summary>
    public static ClientVerb Resume { get; } = new(
        "resume", "resume <kind> <name> [-n ns]", "reconcile again after a suspend (admin)", [CliSession.NamespaceOption],
        (session, cancellationToken) => ActAsync(session, "resumed", (api, path) => api.PostAsync(path + "/resume", null, cancellationToken)));

    private static async Task<int> ActAsync(CliSession session, string done, Func<ApiClient, string, Task<JsonNode>> call)
    {
        var kind = session.Required(0, "<kind>");
        var name = session.Required(1, "<name>");
        var view = await call(session.Api, session.ResourcePath(kind, name));
        var ready = Printing.Text(view, "status.ready");
        var message = Printing.Text(view, "status.message");
        await session.Output.WriteLineAsync(
            $"{Printing.Text(view, "kind") ?? kind} {session.Namespace}/{name} {done}{(ready is null ? string.Empty : $" (ready {ready}{(string.IsNullOrEmpty(message) ? string.Empty : ": " + message)})")}");
        return 0;
    }
}
