using System.Text.Json.Nodes;
using Granary.Contracts.Resources;
using Granary.Grains.Artifacts;
using Granary.Grains.Build.Kustomize;
using Granary.Grains.Build.Sops;
using Granary.Grains.Build.Substitution;
using Granary.Grains.Kubernetes.Objects;
using Granary.Grains.Resources;
using ObjectMetadata = Granary.Grains.Kubernetes.Objects.ObjectMetadata;

namespace Granary.Grains.Build;

/// <summary>
/// Renders a Kustomization's manifests from a source artifact, as the Kustomization grain applies them and as
/// <c>granary build</c> prints them: plain manifests natively in memory; anything else extracted, SOPS-decrypted and
/// built with kustomize; post-build substitution on each object's text, as in Flux.
/// </summary>
public sealed class KustomizationRenderer(KustomizeBuilder builder, ArtifactExtractor extractor, string scratchDirectory)
{
    private const string SubstituteKey = "kustomize.toolkit.fluxcd.io/substitute";

    /// <summary>Renders <paramref name="artifact"/> for <paramref name="spec"/>.</summary>
    /// <param name="artifact">The source artifact, in memory and as its tar.gz.</param>
    /// <param name="spec">The Kustomization's spec (path, transforms, decryption).</param>
    /// <param name="variables">The post-build variables; null when the spec has no <c>postBuild</c>.</param>
    /// <param name="identities">
    /// Reads the age keys of <c>spec.decryption</c> (null from it: no decryption configured, so an encrypted file fails the
    /// build). Null leaves SOPS files encrypted, as <c>flux build</c> does without keys.
    /// </param>
    /// <param name="cancellationToken">Cancels the build.</param>
    public async Task<IReadOnlyList<JsonObject>> RenderAsync(RenderArtifact artifact, KustomizationSpec spec, IReadOnlyDictionary<string, string>? variables,
        Func<CancellationToken, Task<IReadOnlyList<AgeIdentity>?>>? identities, CancellationToken cancellationToken)
    {
        var substitute = variables is null ? null : Substitution(variables);
        if (spec.Decryption is null)
        {
            var files = await artifact.Files(cancellationToken);
            if (builder.TryBuildInMemory(files, spec, substitute) is { } rendered)
            {
                return rendered;
            }
        }

        var bytes = await artifact.Bytes(cancellationToken);
        var workspace = Path.Combine(scratchDirectory, "build-" + Path.GetRandomFileName());
        try
        {
            await extractor.ExtractAsync(bytes, workspace, cancellationToken);
            if (identities is null)
            {
                return await builder.BuildAsync(workspace, spec, cancellationToken, substitute);
            }

            Dictionary<(string? Kind, string? Name), Exception> undecrypted;
            var keys = await identities(cancellationToken);
            using (new DisposableList(keys))
            {
                undecrypted = await DecryptFilesAsync(workspace, keys is null ? null : new SopsDecryptor(keys), cancellationToken);
            }

            var built = await builder.BuildAsync(workspace, spec, cancellationToken, substitute);
            ThrowIfStillEncrypted(built, undecrypted);
            return built;
        }
        finally
        {
            if (Directory.Exists(workspace))
            {
                Directory.Delete(workspace, recursive: true);
            }
        }
    }

    /// <summary>Flux's post-build substitution of one object's YAML, unless the object opts out.</summary>
    public static Func<string, IReadOnlyList<JsonObject>, string> Substitution(IReadOnlyDictionary<string, string> variables) => (text, parsed) =>
    {
        if (parsed.Any(o => ObjectMetadata.Annotation(o, SubstituteKey) == "disabled" || ObjectMetadata.Label(o, SubstituteKey) == "disabled"))
        {
            return text;
        }

        try
        {
            return VariableSubstitution.Substitute(text, variables);
        }
        catch (SubstitutionException) when (parsed.Any(o => ObjectMetadata.String(o["kind"]) == "Secret"))
        {
            // The message quotes the text around the bad expression: never for a (decrypted) Secret.
            throw new BuildFailedException($"{string.Join(", ", parsed.Select(o => ObjectReference.Of(o)))}: post-build substitution failed on a malformed ${{...}} expression; fix it, or mark the object kustomize.toolkit.fluxcd.io/substitute: disabled");
        }
    };

    /// <summary>
    /// Decrypts SOPS-encrypted manifest files in place before kustomize loads them, so kustomize's transforms
    /// (namespace, labels) never touch the encrypted form and its MAC still verifies. The files are rewritten
    /// owner-only and the whole workspace is deleted after the build. A file that cannot be decrypted (no decryption
    /// configured, or another key) is left as it is, with the reason kept by object: as in Flux, that is only an error
    /// when the build uses it (another path of the repository may hold another environment's secrets).
    /// </summary>
    private static async Task<Dictionary<(string? Kind, string? Name), Exception>> DecryptFilesAsync(string workspace, SopsDecryptor? decryptor, CancellationToken cancellationToken)
    {
        var undecrypted = new Dictionary<(string? Kind, string? Name), Exception>();
        foreach (var file in Directory.EnumerateFiles(workspace, "*", SearchOption.AllDirectories))
        {
            if (Path.GetExtension(file) is not (".yaml" or ".yml" or ".json"))
            {
                continue;
            }

            var text = await File.ReadAllTextAsync(file, cancellationToken);
            if (!text.Contains("sops", StringComparison.Ordinal))
            {
                continue;
            }

            IReadOnlyList<JsonNode?> documents;
            try
            {
                documents = YamlToJson.ParseDocuments(text);
            }
            catch (YamlFormatException)
            {
                continue;
            }

            var encrypted = documents.OfType<JsonObject>().Where(SopsDecryptor.IsEncrypted).ToList();
            if (encrypted.Count == 0)
            {
                continue;
            }

            List<string> decrypted;
            try
            {
                decrypted = [.. documents.Select(d => d is JsonObject o && SopsDecryptor.IsEncrypted(o)
                    ? (decryptor ?? throw NotConfigured(o)).Decrypt(o).ToJsonString()
                    : d?.ToJsonString() ?? "null")];
            }
            catch (Exception exception) when (exception is BuildFailedException or SopsDecryptionException)
            {
                foreach (var document in encrypted)
                {
                    undecrypted.TryAdd(StillEncryptedKey(document), exception);
                }

                continue;
            }

            await File.WriteAllTextAsync(file, string.Join("\n---\n", decrypted), cancellationToken);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }

        return undecrypted;
    }

    /// <summary>Fails the build with the decryption error of the first object it holds still encrypted.</summary>
    private static void ThrowIfStillEncrypted(IReadOnlyList<JsonObject> built, Dictionary<(string? Kind, string? Name), Exception> undecrypted)
    {
        if (built.FirstOrDefault(SopsDecryptor.IsEncrypted) is { } encrypted)
        {
            throw undecrypted.TryGetValue(StillEncryptedKey(encrypted), out var reason) ? reason : NotConfigured(encrypted);
        }
    }

    private static (string? Kind, string? Name) StillEncryptedKey(JsonObject o) => (ObjectMetadata.String(o["kind"]), ObjectMetadata.String(o["metadata"]?["name"]));

    private static BuildFailedException NotConfigured(JsonObject o) =>
        new($"{ObjectReference.Of(o)} is SOPS-encrypted but spec.decryption is not set; add decryption with provider sops and a secretRef holding the age key");

    /// <summary>Disposes the age identities (zeroing their keys) when the build is done.</summary>
    private sealed class DisposableList(IReadOnlyList<AgeIdentity>? identities) : IDisposable
    {
        public void Dispose()
        {
            foreach (var identity in identities ?? [])
            {
                identity.Dispose();
            }
        }
    }
}

/// <summary>A source artifact as a build reads it: its files in memory (the native renderer) and its tar.gz (extracted for kustomize).</summary>
/// <param name="Files">Reads the files into memory.</param>
/// <param name="Bytes">Reads the tar.gz.</param>
public sealed record RenderArtifact(Func<CancellationToken, Task<ArtifactFiles>> Files, Func<CancellationToken, Task<byte[]>> Bytes);
