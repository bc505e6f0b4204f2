using System.Diagnostics.Metrics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Granary.Contracts.Resources;
using Granary.Grains.Artifacts;
using Granary.Grains.Processes;
using Granary.Grains.Resources;

namespace Granary.Grains.Build.Kustomize;

/// <summary>
/// Builds a Kustomization's manifests from an extracted source tree the way Flux does: a kustomization.yaml is
/// generated when the path has none, the spec's transforms (targetNamespace, namePrefix/Suffix, patches,
/// images, components) go into an overlay, <c>kubectl kustomize</c> renders it, and commonMetadata is
/// stamped on every object.
/// </summary>
public sealed class KustomizeBuilder(KustomizeOptions options)
{
    private static readonly string[] KustomizationFiles = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

    /// <summary>Builds the manifests under <c>spec.path</c> of <paramref name="root"/>.</summary>
    /// <param name="root">The extracted source artifact.</param>
    /// <param name="spec">The Kustomization's spec (path and transforms).</param>
    /// <param name="transform">Rewrites one rendered object's YAML text, given its parsed form (post-build substitution works on text, as in Flux).</param>
    /// <param name="cancellationToken">Cancels the build.</param>
    /// <exception cref="BuildFailedException">The path is missing or leaves the root, or kustomize failed.</exception>
    public async Task<IReadOnlyList<JsonObject>> BuildAsync(string root, KustomizationSpec spec, CancellationToken cancellationToken, Func<string, IReadOnlyList<JsonObject>, string>? transform = null)
    {
        root = Path.GetFullPath(root);
        var path = spec.Path ?? "./";
        var directory = Path.GetFullPath(Path.Combine(root, path.TrimStart('/')));
        if (!IsInside(root, directory))
        {
            throw new BuildFailedException($"spec.path '{path}' leaves the source artifact; give a path inside it, e.g. ./apps");
        }

        if (!Directory.Exists(directory))
        {
            throw new BuildFailedException($"spec.path '{path}' does not exist in the source artifact; check the path and the source's revision");
        }

        if (!HasKustomization(directory))
        {
            await GenerateKustomizationAsync(directory, cancellationToken);
        }

        var target = NeedsOverlay(spec) ? await WriteOverlayAsync(root, directory, spec, cancellationToken) : directory;
        string output;
        try
        {
            output = await RunKustomizeAsync(target, cancellationToken);
        }
        finally
        {
            if (target != directory)
            {
                Directory.Delete(target, recursive: true);
            }
        }

        Renders.Add(1, new KeyValuePair<string, object?>("renderer", "kustomize"));
        var objects = new List<JsonObject>();
        foreach (var document in SplitDocuments(output))
        {
            var parsed = ParseOutput(transform is null ? document : transform(document, ParseOutput(document)));
            objects.AddRange(parsed);
        }

        Stamp(objects, spec.CommonMetadata);
        return objects;
    }

    /// <summary>
    /// Builds from an artifact in memory when the path is a plain directory of manifests (the common case), with
    /// the same result kustomize gives; null when kustomize must build it (<see cref="BuildAsync"/> on disk).
    /// </summary>
    public IReadOnlyList<JsonObject>? TryBuildInMemory(ArtifactFiles files, KustomizationSpec spec, Func<string, IReadOnlyList<JsonObject>, string>? transform = null)
    {
        var (objects, _) = PlainDirectoryRenderer.TryRender(files, spec, transform);
        if (objects is null)
        {
            return null;
        }

        Renders.Add(1, new KeyValuePair<string, object?>("renderer", "native"));
        Stamp(objects, spec.CommonMetadata);
        return objects;
    }

    private static readonly Meter Meter = new("Granary.Build");
    private static readonly Counter<long> Renders = Meter.CreateCounter<long>("granary.build.renders", description: "Kustomization builds by renderer: native (in memory) or kustomize (the binary)");

    /// <summary>kustomize separates objects with <c>---</c> lines; each piece is one object's YAML.</summary>
    private static IEnumerable<string> SplitDocuments(string output) =>
        output.Split("\n---\n", StringSplitOptions.RemoveEmptyEntries).Where(d => !string.IsNullOrWhiteSpace(d) && d.Trim() != "---");

    private static bool IsInside(string root, string path) =>
        path == root || path.StartsWith(root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    private static bool HasKustomization(string directory) => KustomizationFiles.Any(name => File.Exists(Path.Combine(directory, name)));

    /// <summary>As Flux: every manifest file below the directory, and sub-directories that have their own kustomization.</summary>
    private static async Task GenerateKustomizationAsync(string directory, CancellationToken cancellationToken)
    {
        var resources = new List<string>();
        await CollectAsync(directory, directory, resources, cancellationToken);
        resources.Sort(StringComparer.Ordinal);
        var kustomization = new JsonObject
        {
            ["apiVersion"] = "kustomize.config.k8s.io/v1beta1",
            ["kind"] = "Kustomization",
            ["resources"] = new JsonArray(resources.Select(r => (JsonNode)JsonValue.Create(r)).ToArray()),
        };
        await File.WriteAllTextAsync(Path.Combine(directory, "kustomization.yaml"), kustomization.ToJsonString(), cancellationToken);
    }

    private static async Task CollectAsync(string top, string directory, List<string> resources, CancellationToken cancellationToken)
    {
        foreach (var file in Directory.EnumerateFiles(directory).Order(StringComparer.Ordinal))
        {
            var extension = Path.GetExtension(file);
            if (extension is ".yaml" or ".yml" or ".json" && await IsManifestAsync(file, cancellationToken))
            {
                resources.Add(Path.GetRelativePath(top, file));
            }
        }

        foreach (var child in Directory.EnumerateDirectories(directory).Order(StringComparer.Ordinal))
        {
            if (Path.GetFileName(child).StartsWith('.'))
            {
                continue;
            }

            if (HasKustomization(child))
            {
                resources.Add(Path.GetRelativePath(top, child));
            }
            else
            {
                await CollectAsync(top, child, resources, cancellationToken);
            }
        }
    }

    /// <summary>Flux skips files that are not Kubernetes objects (values files, docs in YAML, ...).</summary>
    private static async Task<bool> IsManifestAsync(string file, CancellationToken cancellationToken)
    {
        try
        {
            var documents = YamlToJson.ParseDocuments(await File.ReadAllTextAsync(file, cancellationToken));
            return documents.Count > 0 && documents.All(d => d is null || d is JsonObject o && o["apiVersion"] is not null && o["kind"] is not null);
        }
        catch (YamlFormatException)
        {
            // Let kustomize report a broken manifest with its own message.
            return true;
        }
    }

    private static bool NeedsOverlay(KustomizationSpec spec) =>
        spec.TargetNamespace is not null || spec.NamePrefix is not null || spec.NameSuffix is not null
        || spec.Patches is { Count: > 0 } || spec.Images is { Count: > 0 } || spec.Components is { Count: > 0 };

    private static async Task<string> WriteOverlayAsync(string root, string directory, KustomizationSpec spec, CancellationToken cancellationToken)
    {
        // Inside the root, so kustomize's load restrictions hold; beside it when the path is the root itself, which an
        // overlay inside would contain (kustomize refuses that as a cycle).
        var overlay = Path.Combine(Path.TrimEndingDirectorySeparator(directory) == Path.TrimEndingDirectorySeparator(root) ? Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(root))! : root, $".granary-overlay-{Guid.NewGuid():N}");
        Directory.CreateDirectory(overlay);
        var relative = Path.GetRelativePath(overlay, directory);
        var kustomization = new JsonObject
        {
            ["apiVersion"] = "kustomize.config.k8s.io/v1beta1",
            ["kind"] = "Kustomization",
            ["resources"] = new JsonArray(JsonValue.Create(relative)),
        };
        if (spec.TargetNamespace is { } ns)
        {
            kustomization["namespace"] = ns;
        }

        if (spec.NamePrefix is { } prefix)
        {
            kustomization["namePrefix"] = prefix;
        }

        if (spec.NameSuffix is { } suffix)
        {
            kustomization["nameSuffix"] = suffix;
        }

        if (spec.Patches is { Count: > 0 } patches)
        {
            kustomization["patches"] = JsonSerializer.SerializeToNode(patches.Select(p => new { patch = p.Patch, target = p.Target }), SpecJson);
        }

        if (spec.Images is { Count: > 0 } images)
        {
            kustomization["images"] = JsonSerializer.SerializeToNode(images, SpecJson);
        }

        if (spec.Components is { Count: > 0 } components)
        {
            kustomization["components"] = new JsonArray(components.Select(c => (JsonNode)JsonValue.Create(Path.Combine(relative, c))).ToArray());
        }

        await File.WriteAllTextAsync(Path.Combine(overlay, "kustomization.yaml"), kustomization.ToJsonString(), cancellationToken);
        return overlay;
    }

    private static readonly JsonSerializerOptions SpecJson = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    private async Task<string> RunKustomizeAsync(string directory, CancellationToken cancellationToken)
    {
        var home = Path.Combine(Path.GetTempPath(), "granary-kustomize-home");
        Directory.CreateDirectory(home);
        var result = await ToolProcess.RunAsync(
            new ToolRequest(options.KubectlPath, ["kustomize", directory], ToolProcess.ScrubbedEnvironment(home), options.Timeout)
            {
                MaxOutputBytes = options.MaxOutputBytes,
            },
            cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new BuildFailedException($"kustomize build failed: {result.Errors.Trim()}");
        }

        if (result.OutputTruncated)
        {
            throw new BuildFailedException($"kustomize build produced more than {options.MaxOutputBytes / (1024 * 1024)} MiB of manifests; split the Kustomization");
        }

        return Encoding.UTF8.GetString(result.Output);
    }

    private static List<JsonObject> ParseOutput(string yaml)
    {
        try
        {
            return YamlToJson.ParseDocuments(yaml).OfType<JsonObject>().ToList();
        }
        catch (YamlFormatException exception)
        {
            throw new BuildFailedException($"kustomize produced YAML that cannot be read: {exception.Message}");
        }
    }

    private static void Stamp(List<JsonObject> objects, CommonMetadata? common)
    {
        if (common is null)
        {
            return;
        }

        foreach (var item in objects)
        {
            var metadata = item["metadata"] as JsonObject ?? (JsonObject)(item["metadata"] = new JsonObject());
            Merge(metadata, "labels", common.Labels);
            Merge(metadata, "annotations", common.Annotations);
        }
    }

    private static void Merge(JsonObject metadata, string field, Dictionary<string, string>? values)
    {
        if (values is null || values.Count == 0)
        {
            return;
        }

        var target = metadata[field] as JsonObject ?? (JsonObject)(metadata[field] = new JsonObject());
        foreach (var (key, value) in values)
        {
            target[key] = value;
        }
    }
}

/// <summary>Where kubectl is and how long a build may take.</summary>
public sealed record KustomizeOptions
{
    /// <summary>The kubectl binary (its built-in kustomize renders).</summary>
    public string KubectlPath { get; init; } = "kubectl";

    /// <summary>The deadline of one build.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>The most rendered output accepted.</summary>
    public long MaxOutputBytes { get; init; } = 64L * 1024 * 1024;
}

/// <summary>The manifests could not be built (Flux reason <c>BuildFailed</c>).</summary>
public sealed class BuildFailedException(string message) : Exception(message)
{
    /// <summary>The Flux condition reason.</summary>
    public string Reason => "BuildFailed";
}
