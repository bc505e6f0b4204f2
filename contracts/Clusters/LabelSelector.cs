namespace Granary.Contracts.Clusters;

/// <summary>
/// A Kubernetes label selector: every <see cref="MatchLabels"/> pair and every <see cref="MatchExpressions"/> requirement
/// must hold. An empty selector matches every cluster, as in Kubernetes.
/// </summary>
public sealed record LabelSelector
{
    /// <summary>Labels that must be present with exactly these values.</summary>
    public Dictionary<string, string>? MatchLabels { get; init; }

    /// <summary>Requirements with operators In, NotIn, Exists, DoesNotExist.</summary>
    public List<LabelSelectorRequirement>? MatchExpressions { get; init; }

    /// <summary>Whether <paramref name="labels"/> satisfy this selector. Call <see cref="Validate"/> first; an invalid requirement matches nothing.</summary>
    public bool Matches(IReadOnlyDictionary<string, string>? labels)
    {
        labels ??= new Dictionary<string, string>();
        foreach (var (key, value) in MatchLabels ?? [])
        {
            if (!labels.TryGetValue(key, out var actual) || actual != value)
            {
                return false;
            }
        }

        return (MatchExpressions ?? []).All(requirement => requirement.Matches(labels));
    }

    /// <summary>Null when valid; otherwise what is wrong, naming the field (<paramref name="field"/> is the selector's path) and the fix.</summary>
    public string? Validate(string field = "selector")
    {
        var expressions = MatchExpressions ?? [];
        for (var i = 0; i < expressions.Count; i++)
        {
            if (expressions[i].Validate($"{field}.matchExpressions[{i}]") is { } error)
            {
                return error;
            }
        }

        return null;
    }
}

/// <summary>One requirement of a <see cref="LabelSelector"/>: <see cref="Key"/>, an operator, and values for In/NotIn.</summary>
public sealed record LabelSelectorRequirement
{
    /// <summary>The label key.</summary>
    public required string Key { get; init; }

    /// <summary><c>In</c>, <c>NotIn</c>, <c>Exists</c> or <c>DoesNotExist</c>.</summary>
    public required string Operator { get; init; }

    /// <summary>The values for In and NotIn (at least one); empty for Exists and DoesNotExist.</summary>
    public List<string>? Values { get; init; }

    /// <summary>Whether <paramref name="labels"/> satisfy this requirement (NotIn holds for a missing label, as in Kubernetes).</summary>
    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        var present = labels.TryGetValue(Key, out var value);
        return Operator switch
        {
            "In" => present && (Values ?? []).Contains(value!),
            "NotIn" => !present || !(Values ?? []).Contains(value!),
            "Exists" => present,
            "DoesNotExist" => !present,
            _ => false,
        };
    }

    /// <summary>Null when valid; otherwise what is wrong with the requirement at <paramref name="field"/>.</summary>
    public string? Validate(string field)
    {
        if (string.IsNullOrEmpty(Key))
        {
            return $"{field}.key: required; name the label to test";
        }

        return Operator switch
        {
            "In" or "NotIn" when Values is not { Count: > 0 } => $"{field}.values: operator {Operator} needs at least one value",
            "Exists" or "DoesNotExist" when Values is { Count: > 0 } => $"{field}.values: operator {Operator} takes no values; remove them",
            "In" or "NotIn" or "Exists" or "DoesNotExist" => null,
            _ => $"{field}.operator: '{Operator}' is not an operator; use In, NotIn, Exists or DoesNotExist",
        };
    }
}
