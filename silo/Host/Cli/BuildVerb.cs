using System.Text.Json.Nodes;
using Granary.Contracts.Resources;
using Granary.Grains.Artifacts;
using Granary.Grains.Build;
using Granary.Grains.Build.Kustomize;
using Granary.Grains.Build.Sops;
using Granary.Grains.Kubernetes.Apply;
using Granary.Grains.Kubernetes.Objects;
using Granary.Grains.Resources;

namespace Granary.Silo.Cli;

/// <summary>
/// <c>granary build kustomization &lt;name&gt; --path &lt;dir&gt; [--kustomization-file f]</c>: like <c>flux build kustomization</c>,
/// renders a local directory without a server, with the renderer the Kustomization grain uses (the directory packed as a
/// GitRepository would pack it, native rendering or kustomize, the spec's transforms, post-build <c>substitute</c>), and
/// prints the objects as multi-document YAML labelled with their owner, as they would be applied. Nothing is read from a
/// cluster: <c>substituteFrom</c> is skipped (said on standard error) and SOPS files stay encrypted, as flux prints them without keys.
/// </summary>
public static class BuildVerb
{
    private static readonly CliOption PathOption = new("--path", null, true, "the local directory to build (stands for spec.path in the source)");
    private static readonly CliOption FileOption = new("--kustomization-file", null, true, "a YAML file holding the Kustomization whose spec to build with (default: Flux's defaults)");
    private static readonly CliOption KubectlOption = new("--kubectl", null, true, "the kubectl whose kustomize renders non-plain directories (GRANARY_KUBECTL, default kubectl)");

    /// <summary>The verb.</summary>
    public static ClientVerb Verb { get; } = new(
        "build", "build kustomization <name> --path <dir> [--kustomization-file <file.yaml>] [-n ns]",
        "render a local directory as the Kustomization would, without a server; prints multi-document YAML",
        [PathOption, FileOption, KubectlOption, CliSession.NamespaceOption], RunAsync);

    private static async Task<int> RunAsync(CliSession session, CancellationToken cancellationToken)
    {
        if (!string.Equals(session.Required(0, "<kind> (kustomization)"), "kustomization", StringComparison.OrdinalIgnoreCase)
            && !string.Equals(session.Arguments.Positional[0], "kustomizations", StringComparison.OrdinalIgnoreCase))
        {
            throw new CliUsageException($"only kustomization can be built, not '{session.Arguments.Positional[0]}'");
        }

        var name = session.Required(1, "<name>");
        var directory = session.Arguments.Value(PathOption.Name) ?? throw new CliUsageException("--path is required: the local directory to build");
        if (!Directory.Exists(directory))
        {
            throw new CliFailure($"--path: '{directory}' is not a directory; give the local copy of the Kustomization's spec.path");
        }

        var (spec, @namespace) = await SpecAsync(session, name, cancellationToken);
        if (spec.PostBuild?.SubstituteFrom is { Count: > 0 } from)
        {
            await session.Error.WriteLineAsync(
                $"granary build: spec.postBuild.substituteFrom ({string.Join(", ", from.Select(s => $"{s.Kind}/{s.Name}"))}) is not read: that needs the cluster. " +
                "Only spec.postBuild.substitute and ${var:=default} defaults are substituted; put the values in substitute to build with them.");
        }

        var variables = spec.PostBuild is { } postBuild ? new Dictionary<string, string>(postBuild.Substitute ?? [], StringComparer.Ordinal) : null;
        var objects = await RenderAsync(session, directory, spec with { Path = "./" }, variables, cancellationToken);
        var owner = new ResourceOwner(name, @namespace);
        var encrypted = new List<string>();
        var first = true;
        foreach (var item in objects)
        {
            owner.Label(item);
            if (SopsDecryptor.IsEncrypted(item))
            {
                encrypted.Add(ObjectReference.Of(item).ToString());
            }

            await session.Output.WriteAsync((first ? string.Empty : "---\n") + Printing.Yaml(item));
            first = false;
        }

        if (encrypted.Count > 0)
        {
            await session.Error.WriteLineAsync($"granary build: {string.Join(", ", encrypted)} {(encrypted.Count == 1 ? "is" : "are")} SOPS-encrypted and printed as stored: granary build reads no keys (the grain decrypts with spec.decryption).");
        }

        return 0;
    }

    /// <summary>The spec to build with: the named Kustomization of <c>--kustomization-file</c>, or Flux's defaults; and its namespace.</summary>
    private static async Task<(KustomizationSpec Spec, string Namespace)> SpecAsync(CliSession session, string name, CancellationToken cancellationToken)
    {
        if (session.Arguments.Value(FileOption.Name) is not { } file)
        {
            var defaults = new KustomizationSpec { SourceRef = new CrossNamespaceSourceReference { Kind = "GitRepository", Name = name }, Interval = GoDuration.Parse("10m"), Prune = false };
            return (defaults, session.Namespace);
        }

        if (!File.Exists(file))
        {
            throw new CliFailure($"--kustomization-file: '{file}' does not exist");
        }

        var parsed = ResourceParser.Parse(await File.ReadAllTextAsync(file, cancellationToken), file);
        if (!parsed.IsValid)
        {
            throw new CliFailure(string.Join("\n", parsed.Errors.Select(e => e.ToString())));
        }

        var kustomizations = parsed.Resources.OfType<Kustomization>().ToList();
        var match = kustomizations.FirstOrDefault(k => k.Metadata.Name == name && (session.Arguments.Value(CliSession.NamespaceOption.Name) is not { } ns || k.Metadata.EffectiveNamespace == ns))
            ?? throw new CliFailure($"--kustomization-file: {file} holds no Kustomization {name}{(kustomizations.Count == 0 ? string.Empty : $"; it holds {string.Join(", ", kustomizations.Select(k => k.Key))}")}");
        return (match.Spec, match.Metadata.EffectiveNamespace);
    }

    /// <summary>Packs the directory as a GitRepository would and renders it with the grain's renderer.</summary>
    private static async Task<IReadOnlyList<JsonObject>> RenderAsync(CliSession session, string directory, KustomizationSpec spec, Dictionary<string, string>? variables, CancellationToken cancellationToken)
    {
        var limits = new ArtifactLimits();
        var extractor = new ArtifactExtractor(limits);
        var scratch = Directory.CreateTempSubdirectory("granary-build-").FullName;
        try
        {
            var packed = new ArtifactBuilder(limits).Pack(directory, SourceIgnore.ForTree(directory, null), cancellationToken);
            var kubectl = session.Arguments.Value(KubectlOption.Name) ?? session.Environment("GRANARY_KUBECTL") ?? "kubectl";
            var renderer = new KustomizationRenderer(new KustomizeBuilder(new KustomizeOptions { KubectlPath = kubectl }), extractor, scratch);
            return await renderer.RenderAsync(
                new RenderArtifact(token => extractor.ReadAsync(packed.Bytes, token), _ => Task.FromResult(packed.Bytes)), spec, variables, identities: null, cancellationToken);
        }
        catch (Exception exception) when (exception is BuildFailedException or ArtifactException or Grains.Build.Substitution.SubstitutionException)
        {
            throw new CliFailure($"building {directory} failed: {exception.Message}");
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }
}
