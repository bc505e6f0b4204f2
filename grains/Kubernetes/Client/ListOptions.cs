using System.Text.Json.Nodes;

namespace Granary.Grains.Kubernetes.Client;

/// <summary>Filters and paging of a list request.</summary>
public sealed record ListOptions
{
    /// <summary>A label selector, e.g. <c>app=web,tier!=db</c>.</summary>
    public string? LabelSelector { get; init; }

    /// <summary>A field selector, e.g. <c>metadata.name=web</c>.</summary>
    public string? FieldSelector { get; init; }

    /// <summary>Objects per page; the server returns a <c>continue</c> token when there are more.</summary>
    public int PageSize { get; init; } = 500;

    /// <summary>The continue token of the previous page.</summary>
    public string? Continue { get; init; }
}

/// <summary>One page of a list: its objects (with apiVersion and kind filled in) and the token for the next page.</summary>
public sealed record ObjectList(IReadOnlyList<JsonObject> Items, string? Continue, string? ResourceVersion);

/// <summary>What happens to an object's dependents when it is deleted.</summary>
public enum PropagationPolicy
{
    /// <summary>Delete at once; the garbage collector removes dependents afterwards.</summary>
    Background,

    /// <summary>Delete dependents first; the object stays (with a finalizer) until they are gone.</summary>
    Foreground,

    /// <summary>Leave dependents behind without an owner.</summary>
    Orphan,
}
