using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using Granary.Contracts.Resources;

namespace Granary.Grains.Resources;

/// <summary>
/// Reads Granary/Flux resources from multi-document YAML, strictly: unknown fields, missing required fields,
/// wrong types and bad durations are errors that name the file, document, kind, name and field, and say
/// how to fix it. A file with any error yields no resources, so nothing half-valid is applied.
/// </summary>
public static partial class ResourceParser
{
    private static readonly Dictionary<(string ApiVersion, string Kind), Type> Kinds = new()
    {
        [(GitRepository.Version, "GitRepository")] = typeof(GitRepository),
        [(Kustomization.Version, "Kustomization")] = typeof(Kustomization),
        [(Cluster.Version, "Cluster")] = typeof(Cluster),
        [(HelmRepository.Version, "HelmRepository")] = typeof(HelmRepository),
        [(HelmRelease.Version, "HelmRelease")] = typeof(HelmRelease),
        [(HelmChart.Version, "HelmChart")] = typeof(HelmChart),
        [(OCIRepository.Version, "OCIRepository")] = typeof(OCIRepository),
        [(OCIRepository.V1, "OCIRepository")] = typeof(OCIRepository),
    };

    private static readonly JsonSerializerOptions Strict = new(JsonSerializerDefaults.Web)
    {
        PropertyNameCaseInsensitive = false,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        NumberHandling = JsonNumberHandling.Strict,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
    };

    /// <summary>Whether a document's apiVersion belongs to Granary (Flux's toolkit groups or Granary's fleet group).</summary>
    public static bool IsGranaryApiVersion(string? apiVersion) =>
        apiVersion is not null && (apiVersion.Contains(".toolkit.fluxcd.io/", StringComparison.Ordinal) || apiVersion.StartsWith("fleet.granary.dev/", StringComparison.Ordinal));

    /// <summary>Whether <paramref name="apiVersion"/> and <paramref name="kind"/> are a resource Granary runs as a grain.</summary>
    public static bool IsResourceKind(string? apiVersion, string? kind) => apiVersion is not null && kind is not null && Kinds.ContainsKey((apiVersion, kind));

    /// <summary>Parses already-read documents (e.g. a build's output); <paramref name="source"/> names their origin in errors.</summary>
    public static ResourceParseResult Parse(IReadOnlyList<JsonObject> documents, string source)
    {
        var resources = new List<ResourceDocument>();
        var errors = new List<ResourceError>();
        for (var index = 0; index < documents.Count; index++)
        {
            if (ParseDocument(documents[index], source, index + 1, out var error) is { } parsed)
            {
                resources.Add(parsed);
            }
            else
            {
                errors.Add(error!);
            }
        }

        return errors.Count > 0 ? new ResourceParseResult([], errors) : new ResourceParseResult(resources, []);
    }

    /// <summary>Parses every document of <paramref name="yaml"/>; <paramref name="source"/> names the file in errors.</summary>
    public static ResourceParseResult Parse(string yaml, string source)
    {
        IReadOnlyList<JsonNode?> documents;
        try
        {
            documents = YamlToJson.ParseDocuments(yaml);
        }
        catch (YamlFormatException exception)
        {
            return new ResourceParseResult([], [new ResourceError(source, 0, null, null, null, $"not valid YAML: {exception.Message}")]);
        }

        var resources = new List<ResourceDocument>();
        var errors = new List<ResourceError>();
        for (var index = 0; index < documents.Count; index++)
        {
            if (documents[index] is null)
            {
                continue;
            }

            var parsed = ParseDocument(documents[index]!, source, index + 1, out var error);
            if (parsed is not null)
            {
                resources.Add(parsed);
            }
            else
            {
                errors.Add(error!);
            }
        }

        return errors.Count > 0 ? new ResourceParseResult([], errors) : new ResourceParseResult(resources, []);
    }

    private static ResourceDocument? ParseDocument(JsonNode node, string source, int index, out ResourceError? error)
    {
        error = null;
        if (node is not JsonObject document)
        {
            error = new ResourceError(source, index, null, null, null, "a resource document is a mapping with apiVersion, kind, metadata and spec");
            return null;
        }

        var apiVersion = (document["apiVersion"] as JsonValue)?.TryGetValue<string>(out var v) == true ? v : null;
        var kind = (document["kind"] as JsonValue)?.TryGetValue<string>(out var k) == true ? k : null;
        var name = (document["metadata"]?["name"] as JsonValue)?.TryGetValue<string>(out var n) == true ? n : null;
        var ns = (document["metadata"]?["namespace"] as JsonValue)?.TryGetValue<string>(out var s) == true ? s : null;
        var display = name is null ? null : $"{ns ?? "default"}/{name}";
        ResourceError Error(string? field, string message) => new(source, index, kind, display, field, message);

        if (apiVersion is null || kind is null)
        {
            error = Error(apiVersion is null ? "apiVersion" : "kind", "required field missing; every document needs apiVersion and kind, e.g. apiVersion: kustomize.toolkit.fluxcd.io/v1, kind: Kustomization");
            return null;
        }

        if (!Kinds.TryGetValue((apiVersion, kind), out var type))
        {
            var known = Kinds.Keys.Where(key => key.Kind == kind).Select(key => key.ApiVersion).ToList();
            error = known.Count > 0
                ? Error("apiVersion", $"{apiVersion} is not supported for {kind}; use {string.Join(" or ", known)} (Flux's v1 API)")
                : Error("kind", $"{kind} ({apiVersion}) is not a Granary resource; Granary reads {string.Join(", ", Kinds.Keys.Select(key => $"{key.Kind} ({key.ApiVersion})"))}");
            return null;
        }

        if (string.IsNullOrEmpty(name))
        {
            error = Error("metadata.name", "required field missing; give the resource a name");
            return null;
        }

        try
        {
            return (ResourceDocument?)document.Deserialize(type, Strict)
                ?? throw new JsonException("the document is empty");
        }
        catch (JsonException exception)
        {
            error = Describe(exception, type, Error);
            return null;
        }
    }

    /// <summary>Turns System.Text.Json's error into one that names the field in Kubernetes style and says how to fix it.</summary>
    private static ResourceError Describe(JsonException exception, Type root, Func<string?, string, ResourceError> error)
    {
        var path = ToFieldPath(exception.Path);
        var message = exception.Message;
        if (UnmappedMember().Match(message) is { Success: true } unmapped)
        {
            var field = path is null ? unmapped.Groups[1].Value : $"{path}";
            var parent = field.Contains('.') ? field[..field.LastIndexOf('.')] : null;
            var known = KnownFields(root, parent);
            return error(field, $"unknown field; {(known.Count > 0 ? $"the fields here are {string.Join(", ", known)}" : "remove it")}");
        }

        if (MissingRequired().Match(message) is { Success: true } missing)
        {
            var fields = missing.Groups[1].Value.Split(", ").Select(f => f.Trim('\'')).ToList();
            var field = path is null ? fields[0] : $"{path}.{fields[0]}";
            return error(field, $"required field missing; add {fields[0]}{(fields[0] is "interval" or "timeout" or "retryInterval" ? " (a duration such as 10m)" : string.Empty)}");
        }

        if (message.StartsWith("The JSON value could not be converted to ", StringComparison.Ordinal))
        {
            return error(path, $"wrong type: {ExpectedType(message)}");
        }

        return error(path, message);
    }

    private static string ExpectedType(string message) => message switch
    {
        _ when message.Contains("System.Boolean", StringComparison.Ordinal) => "expected true or false",
        _ when message.Contains("System.String", StringComparison.Ordinal) => "expected a string (quote it)",
        _ when message.Contains("System.Int", StringComparison.Ordinal) => "expected a whole number",
        _ when message.Contains("List`1", StringComparison.Ordinal) => "expected a list",
        _ when message.Contains("Dictionary`2", StringComparison.Ordinal) => "expected a mapping of strings",
        _ => "expected a mapping with the fields of the Flux API",
    };

    /// <summary>"$.spec.dependsOn[0].name" → "spec.dependsOn[0].name".</summary>
    private static string? ToFieldPath(string? jsonPath) => jsonPath is null or "$" ? null : jsonPath.StartsWith("$.", StringComparison.Ordinal) ? jsonPath[2..] : jsonPath;

    private static List<string> KnownFields(Type root, string? parent)
    {
        var type = root;
        foreach (var segment in (parent ?? string.Empty).Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = segment.Contains('[') ? segment[..segment.IndexOf('[')] : segment;
            var property = Strict.GetTypeInfo(type).Properties.FirstOrDefault(p => p.Name == name);
            if (property is null)
            {
                return [];
            }

            type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (segment.Contains('[') && type.IsGenericType)
            {
                type = type.GetGenericArguments()[0];
            }
        }

        var info = Strict.GetTypeInfo(type);
        return info.Kind == JsonTypeInfoKind.Object
            ? info.Properties.Where(p => p.PropertyType != typeof(JsonElement?)).Select(p => p.Name).ToList()
            : [];
    }

    [GeneratedRegex("The JSON property '([^']*)' could not be mapped")]
    private static partial Regex UnmappedMember();

    [GeneratedRegex("missing required properties including: (.*)\\.")]
    private static partial Regex MissingRequired();
}

/// <summary>The resources of a file, or (if any document is invalid) only the errors.</summary>
public sealed record ResourceParseResult(IReadOnlyList<ResourceDocument> Resources, IReadOnlyList<ResourceError> Errors)
{
    /// <summary>True when the file had no errors.</summary>
    public bool IsValid => Errors.Count == 0;
}

/// <summary>One invalid document: where it is, what it is, which field, and what to do.</summary>
public sealed record ResourceError(string Source, int Document, string? Kind, string? Name, string? Field, string Message)
{
    /// <inheritdoc />
    public override string ToString()
    {
        var what = Kind is null ? string.Empty : Name is null ? $" {Kind}" : $" {Kind} {Name}";
        var field = Field is null ? string.Empty : $" {Field}:";
        return $"{Source} (document {Document}){what}:{field} {Message}";
    }
}
