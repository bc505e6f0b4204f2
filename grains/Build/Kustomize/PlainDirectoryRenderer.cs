using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Granary.Contracts.Resources;
using Granary.Grains.Artifacts;
using Granary.Grains.Kubernetes.Objects;
using ObjectMetadata = Granary.Grains.Kubernetes.Objects.ObjectMetadata;
using Granary.Grains.Resources;

namespace Granary.Grains.Build.Kustomize;

/// <summary>
/// Renders the common case without a kustomize process: a directory of plain manifests (no kustomization file in
/// it or below), with the spec's <c>targetNamespace</c> and <c>images</c>. The result is what kustomize renders for
/// Flux's generated kustomization — same objects, same fields, same order — which the build tests check against the
/// binary. Anything outside that case (patches, components, name prefixes, nested kustomizations, symlinks, Lists,
/// YAML whose scalars kustomize reads as YAML 1.1, kinds the namespace transform rewrites) is declined, and the
/// caller renders with kustomize as before.
/// </summary>
internal static partial class PlainDirectoryRenderer
{
    private static readonly string[] KustomizationFiles = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

    /// <summary>Renders, or returns null (with why) when kustomize must do it.</summary>
    public static (List<JsonObject>? Objects, string? Declined) TryRender(ArtifactFiles files, KustomizationSpec spec, Func<string, IReadOnlyList<JsonObject>, string>? transform)
    {
        if (spec.NamePrefix is not null || spec.NameSuffix is not null || spec.Patches is { Count: > 0 } || spec.Components is { Count: > 0 })
        {
            return (null, "the spec has name prefixes, patches or components");
        }

        if (Normalize(spec.Path) is not { } directory || !files.Directories.Contains(directory))
        {
            return (null, "the path is not a plain directory of the artifact");
        }

        if (files.HasLinksAround(directory))
        {
            return (null, "the path has symlinks");
        }

        var candidates = new List<string>();
        foreach (var path in files.FilesBelow(directory))
        {
            var relative = directory.Length == 0 ? path : path[(directory.Length + 1)..];
            if (KustomizationFiles.Contains(Path.GetFileName(relative)))
            {
                return (null, "the path has a kustomization file");
            }

            // As the generated kustomization: manifests anywhere below, except in hidden directories.
            if (Path.GetExtension(relative) is ".yaml" or ".yml" or ".json" && !relative.Split('/')[..^1].Any(d => d.StartsWith('.')))
            {
                candidates.Add(path);
            }
        }

        candidates.Sort(StringComparer.Ordinal);
        var objects = new List<JsonObject>();
        foreach (var path in candidates)
        {
            var text = Decode(files.Files[path]);
            if (ReadManifests(text, Path.GetExtension(path) == ".json", transform) is not { } manifests)
            {
                return (null, $"{path} needs kustomize's own reading");
            }

            objects.AddRange(manifests);
        }

        if (objects.Select(Identity).Distinct().Count() != objects.Count)
        {
            return (null, "two manifests have the same identity (kustomize reports it)");
        }

        if (spec.TargetNamespace is { } ns)
        {
            if (objects.FirstOrDefault(o => NamespaceRewrites(o)) is { } special)
            {
                return (null, $"{Kind(special)} objects are rewritten by kustomize's namespace transform");
            }

            foreach (var item in objects.Where(o => !IsClusterScoped(o)))
            {
                ((JsonObject)item["metadata"]!)["namespace"] = ns;
            }
        }

        foreach (var image in spec.Images ?? [])
        {
            foreach (var item in objects)
            {
                KustomizeImages.Apply(item, image);
            }
        }

        return (KustomizeOrder.Sort(objects), null);
    }

    /// <summary>
    /// The documents of one file as kustomize loads them, or null when this reader might read them differently.
    /// Files that are not all Kubernetes objects are skipped, as the generated kustomization skips them.
    /// </summary>
    private static List<JsonObject>? ReadManifests(string text, bool json, Func<string, IReadOnlyList<JsonObject>, string>? transform)
    {
        if (!json && YamlOneOneScalar().IsMatch(text))
        {
            return null; // e.g. 0755 or 2024-01-01: kustomize reads YAML 1.1 scalars (octal, timestamps).
        }

        List<string> documents;
        IReadOnlyList<JsonNode?> parsed;
        try
        {
            documents = json ? [text] : SplitDocuments(text);
            if (documents.Count == 0)
            {
                return [];
            }

            parsed = documents.Select(ParseOne).ToList();
        }
        catch (Exception error) when (error is YamlFormatException or UnsupportedDocument)
        {
            return null;
        }

        if (parsed.Count == 0 || !parsed.All(d => d is null || d is JsonObject o && o["apiVersion"] is not null && o["kind"] is not null))
        {
            return []; // not a manifest file
        }

        var objects = new List<JsonObject>();
        for (var i = 0; i < parsed.Count; i++)
        {
            if (parsed[i] is not JsonObject item)
            {
                continue;
            }

            if (!IsPlainObject(item) || Sops.SopsDecryptor.IsEncrypted(item))
            {
                return null; // SOPS files are decrypted on disk before kustomize sees them
            }

            if (transform is not null && !json)
            {
                var transformed = transform(documents[i], [item]);
                if (!ReferenceEquals(transformed, documents[i]) && transformed != documents[i])
                {
                    try
                    {
                        item = ParseOne(transformed) as JsonObject ?? throw new BuildFailedException($"{ObjectReference.Of(item)}: post-build substitution left no object");
                    }
                    catch (YamlFormatException error)
                    {
                        throw new BuildFailedException($"{ObjectReference.Of(item)}: post-build substitution produced YAML that cannot be read: {error.Message}");
                    }
                }
            }
            else if (transform is not null)
            {
                return null; // substitution on JSON text would not type values as it does on kustomize's YAML output
            }

            objects.Add(item);
        }

        return objects;
    }

    /// <summary>UTF-8 text without its byte-order mark, as kustomize reads it.</summary>
    private static string Decode(byte[] bytes) =>
        Encoding.UTF8.GetString(bytes.AsSpan().StartsWith(Encoding.UTF8.Preamble) ? bytes.AsSpan(Encoding.UTF8.Preamble.Length) : bytes);

    private static JsonNode? ParseOne(string document)
    {
        var nodes = YamlToJson.ParseDocuments(document);
        return nodes.Count switch
        {
            0 => null,
            1 => nodes[0],
            _ => throw new UnsupportedDocument(),
        };
    }

    /// <summary>Splits at lines that are exactly <c>---</c>; any other document marker is left to kustomize.</summary>
    private static List<string> SplitDocuments(string text)
    {
        var documents = new List<string>();
        var current = new StringBuilder();
        foreach (var line in text.Split('\n'))
        {
            var trimmed = line.TrimEnd('\r', ' ', '\t');
            if (trimmed == "---")
            {
                documents.Add(current.ToString());
                current.Clear();
                continue;
            }

            if (trimmed.StartsWith("---", StringComparison.Ordinal) || trimmed.StartsWith("...", StringComparison.Ordinal) || trimmed.StartsWith('%'))
            {
                throw new UnsupportedDocument();
            }

            current.Append(line).Append('\n');
        }

        documents.Add(current.ToString());
        return documents.Where(d => !string.IsNullOrWhiteSpace(d)).ToList();
    }

    private static bool IsPlainObject(JsonObject item) =>
        item["apiVersion"] is JsonValue apiVersion && apiVersion.TryGetValue<string>(out _)
        && item["kind"] is JsonValue kind && kind.TryGetValue<string>(out var kindName) && !kindName.EndsWith("List", StringComparison.Ordinal)
        && item["metadata"] is JsonObject metadata && ObjectMetadata.String(metadata["name"]) is { Length: > 0 }
        && metadata["namespace"] is null or JsonValue;

    private static string Identity(JsonObject item) =>
        $"{Group(item)}|{Kind(item)}|{ObjectMetadata.String(item["metadata"]!["namespace"])}|{ObjectMetadata.String(item["metadata"]!["name"])}";

    private static string? Normalize(string? path)
    {
        var parts = (path ?? "./").Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".").ToArray();
        return parts.Contains("..") ? null : string.Join('/', parts);
    }

    internal static string Group(JsonObject item)
    {
        var apiVersion = ObjectMetadata.String(item["apiVersion"]) ?? string.Empty;
        var slash = apiVersion.IndexOf('/');
        return slash < 0 ? string.Empty : apiVersion[..slash];
    }

    internal static string Kind(JsonObject item) => ObjectMetadata.String(item["kind"]) ?? string.Empty;

    // Built-in cluster-scoped kinds by group (kustomize finds these in its OpenAPI data; anything else is namespaced).
    private static readonly HashSet<string> ClusterScoped =
    [
        "|Namespace", "|Node", "|PersistentVolume", "|ComponentStatus",
        "rbac.authorization.k8s.io|ClusterRole", "rbac.authorization.k8s.io|ClusterRoleBinding",
        "apiextensions.k8s.io|CustomResourceDefinition", "apiregistration.k8s.io|APIService",
        "admissionregistration.k8s.io|MutatingWebhookConfiguration", "admissionregistration.k8s.io|ValidatingWebhookConfiguration",
        "admissionregistration.k8s.io|ValidatingAdmissionPolicy", "admissionregistration.k8s.io|ValidatingAdmissionPolicyBinding",
        "storage.k8s.io|StorageClass", "storage.k8s.io|CSIDriver", "storage.k8s.io|CSINode", "storage.k8s.io|VolumeAttachment",
        "scheduling.k8s.io|PriorityClass", "node.k8s.io|RuntimeClass", "networking.k8s.io|IngressClass",
        "policy|PodSecurityPolicy", "certificates.k8s.io|CertificateSigningRequest",
        "flowcontrol.apiserver.k8s.io|FlowSchema", "flowcontrol.apiserver.k8s.io|PriorityLevelConfiguration",
    ];

    // Kinds whose other fields kustomize's namespace transform also rewrites (subjects, webhook services, names).
    private static readonly HashSet<string> RewrittenByNamespace =
    [
        "|Namespace", "rbac.authorization.k8s.io|RoleBinding", "rbac.authorization.k8s.io|ClusterRoleBinding",
        "apiextensions.k8s.io|CustomResourceDefinition", "apiregistration.k8s.io|APIService",
        "admissionregistration.k8s.io|MutatingWebhookConfiguration", "admissionregistration.k8s.io|ValidatingWebhookConfiguration",
    ];

    private static bool IsClusterScoped(JsonObject item) => ClusterScoped.Contains($"{Group(item)}|{Kind(item)}");

    private static bool NamespaceRewrites(JsonObject item) => RewrittenByNamespace.Contains($"{Group(item)}|{Kind(item)}");

    /// <summary>
    /// A plain value kustomize (YAML 1.1) and Kubernetes' YAML 1.2 reading may type differently: leading-zero
    /// numbers (octal), 0o, digit separators, timestamps, .inf/.nan, integers past 64 bits (in block or flow style).
    /// </summary>
    [GeneratedRegex(@"(?m)(?::[ \t]+|^[ \t]*-[ \t]+|[\[,][ \t]*)(?:[-+]?(?:0[0-9_o]|[0-9]+_|\.(?i:inf|nan)\b|[0-9]{19})|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2})")]
    private static partial Regex YamlOneOneScalar();

    private sealed class UnsupportedDocument : Exception;
}
