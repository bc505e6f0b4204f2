using System.Text;
using System.Text.Json.Nodes;
using Granary.Grains.Kubernetes.Objects;
using Granary.Grains.Processes;
using Granary.Grains.Resources;

namespace Granary.Grains.Releases;

/// <summary>Where helm is and where it may write.</summary>
public sealed record HelmRendererOptions
{
    /// <summary>The helm (v4) binary.</summary>
    public required string HelmPath { get; init; }

    /// <summary>Scratch space for charts, values files and helm's own cache (each render gets its own directory, deleted afterwards).</summary>
    public required string ScratchDirectory { get; init; }

    /// <summary>The most rendered output accepted.</summary>
    public long MaxOutputBytes { get; init; } = 64L * 1024 * 1024;
}

/// <summary>One render: which chart, which release, which values, for which cluster (the chart's <c>crds/</c> are not rendered: see <see cref="ChartCrds"/>).</summary>
/// <param name="Chart">The packaged chart (.tgz).</param>
/// <param name="ReleaseName">The release name.</param>
/// <param name="Namespace">The release namespace.</param>
/// <param name="Values">The merged values, as JSON (a YAML document helm reads).</param>
/// <param name="Capabilities">The target cluster's version and API versions.</param>
/// <param name="Timeout">The deadline.</param>
public sealed record HelmRenderRequest(byte[] Chart, string ReleaseName, string Namespace, byte[] Values, ClusterCapabilities Capabilities, TimeSpan Timeout);

/// <summary>The rendered objects, and the hooks left out (Granary does not run hooks yet).</summary>
public sealed record HelmRenderResult(IReadOnlyList<JsonObject> Objects, IReadOnlyList<string> SkippedHooks);

/// <summary>A chart could not be rendered; the message carries helm's own error.</summary>
public sealed class HelmRenderException(string message) : Exception(message);

/// <summary>
/// Renders a chart with <c>helm template</c> through <see cref="ToolProcess"/>: argument list, scrubbed environment with helm's
/// homes in scratch space, a deadline, an output cap. The values file is written owner-only and deleted with the scratch directory.
/// </summary>
public sealed class HelmTemplateRenderer(HelmRendererOptions options)
{
    /// <summary>Renders <paramref name="request"/>.</summary>
    /// <exception cref="HelmRenderException">helm failed, timed out, or produced output that is not Kubernetes objects.</exception>
    public async Task<HelmRenderResult> RenderAsync(HelmRenderRequest request, CancellationToken cancellationToken)
    {
        var work = Directory.CreateDirectory(Path.Combine(options.ScratchDirectory, "helm-" + Path.GetRandomFileName())).FullName;
        try
        {
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(work, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            var chart = Path.Combine(work, "chart.tgz");
            await File.WriteAllBytesAsync(chart, request.Chart, cancellationToken);
            var values = Path.Combine(work, "values.yaml");
            var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            await using (var file = new FileStream(values, fileOptions))
            {
                await file.WriteAsync(request.Values, cancellationToken);
            }

            var arguments = new List<string>
            {
                "template", request.ReleaseName, chart,
                "--namespace", request.Namespace,
                "--values", values,
                "--kube-version", request.Capabilities.KubeVersion,
                "--skip-tests",
            };
            if (request.Capabilities.ApiVersions.Count > 0)
            {
                arguments.AddRange(["--api-versions", string.Join(',', request.Capabilities.ApiVersions)]);
            }

            var environment = ToolProcess.ScrubbedEnvironment(work);
            environment["HELM_CACHE_HOME"] = Path.Combine(work, "cache");
            environment["HELM_CONFIG_HOME"] = Path.Combine(work, "config");
            environment["HELM_DATA_HOME"] = Path.Combine(work, "data");
            ToolResult result;
            try
            {
                result = await ToolProcess.RunAsync(new ToolRequest(options.HelmPath, arguments, environment, request.Timeout)
                {
                    WorkingDirectory = work,
                    MaxOutputBytes = options.MaxOutputBytes,
                }, cancellationToken);
            }
            catch (ToolTimeoutException exception)
            {
                throw new HelmRenderException($"helm template timed out: {exception.Message}");
            }

            if (result.ExitCode != 0)
            {
                var errors = result.Errors.Replace(work, "<chart>", StringComparison.Ordinal).Trim();
                throw new HelmRenderException($"helm template failed: {(errors.Length > 2000 ? errors[..2000] + "…" : errors)}");
            }

            if (result.OutputTruncated)
            {
                throw new HelmRenderException($"helm template produced more than {options.MaxOutputBytes} bytes; the chart renders too much");
            }

            return Parse(Encoding.UTF8.GetString(result.Output));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static HelmRenderResult Parse(string output)
    {
        IReadOnlyList<JsonNode?> documents;
        try
        {
            documents = YamlToJson.ParseDocuments(output);
        }
        catch (YamlFormatException exception)
        {
            throw new HelmRenderException($"the chart rendered invalid YAML at line {exception.Line}: {exception.Reason}; fix the chart's templates");
        }

        var objects = new List<JsonObject>();
        var hooks = new List<string>();
        foreach (var document in documents)
        {
            if (document is null)
            {
                continue;
            }

            if (document is not JsonObject obj || obj["apiVersion"] is null || obj["kind"] is null || obj["metadata"]?["name"] is null)
            {
                throw new HelmRenderException("the chart rendered a document that is not a Kubernetes object (apiVersion, kind and metadata.name are required); fix the chart's templates");
            }

            if (ObjectMetadata.Annotation(obj, "helm.sh/hook") is not null)
            {
                hooks.Add(ObjectReference.Of(obj).ToString());
                continue;
            }

            objects.Add(obj);
        }

        return new HelmRenderResult(objects, hooks);
    }
}
