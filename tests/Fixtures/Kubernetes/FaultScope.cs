using System.Text.RegularExpressions;

namespace Granary.Testing.Kubernetes;

/// <summary>
/// Which requests a fault applies to: those matching <see cref="Method"/> and <see cref="PathPattern"/>, each with
/// <see cref="Probability"/>, for at most <see cref="Count"/> of them. Combine with <c>with</c>:
/// <c>FaultScope.Next(2) with { PathPattern = "^/apis/apps/" }</c>.
/// </summary>
public sealed record FaultScope
{
    /// <summary>Every request, until the fault is removed.</summary>
    public static FaultScope Always { get; } = new();

    /// <summary>Only HTTP requests with this method (e.g. <c>PATCH</c>); null for any.</summary>
    public string? Method { get; init; }

    /// <summary>A regular expression the request's path and query must match (e.g. <c>"^/api/v1/namespaces/[^/]+/configmaps"</c> or <c>"watch=true"</c>); null for any.</summary>
    public string? PathPattern { get; init; }

    /// <summary>The chance that a matching request is faulted, from 0 to 1.</summary>
    public double Probability { get; init; } = 1;

    /// <summary>How many requests to fault at most before the fault retires; null for no limit.</summary>
    public int? Count { get; init; }

    /// <summary>The next <paramref name="requests"/> requests.</summary>
    public static FaultScope Next(int requests) => new() { Count = requests };

    /// <summary>Each request with probability <paramref name="fraction"/>.</summary>
    public static FaultScope Fraction(double fraction) => new() { Probability = fraction };

    /// <summary>Requests whose path and query match <paramref name="pattern"/>.</summary>
    public static FaultScope Path(string pattern) => new() { PathPattern = pattern };

    /// <summary>Whether a request is in scope, ignoring <see cref="Probability"/> and <see cref="Count"/>.</summary>
    internal bool Matches(string method, string pathAndQuery) =>
        (Method is null || string.Equals(Method, method, StringComparison.OrdinalIgnoreCase))
        && (PathPattern is null || Regex.IsMatch(pathAndQuery, PathPattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)));
}
