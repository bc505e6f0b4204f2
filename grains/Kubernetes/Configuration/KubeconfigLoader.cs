using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Granary.Grains.Kubernetes.Manifests;

namespace Granary.Grains.Kubernetes.Configuration;

/// <summary>
/// Reads kubeconfig files as kubectl does: the current or a named context, its cluster (server, CA data or file,
/// insecure-skip-tls-verify, tls-server-name) and user (token, tokenFile, client certificate and key, exec plugin,
/// impersonation). Every missing or malformed piece is an error naming the kubeconfig, context and field.
/// </summary>
public static class KubeconfigLoader
{
    /// <summary>Loads <paramref name="path"/> and the context <paramref name="context"/> (the current context when null).</summary>
    public static ClusterConnection Load(string path, string? context = null)
    {
        string yaml;
        try
        {
            yaml = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KubernetesConfigurationException($"Cannot read kubeconfig {path}: {e.Message}", e);
        }

        return Parse(yaml, $"kubeconfig {path}", Path.GetDirectoryName(Path.GetFullPath(path))!, context);
    }

    /// <summary>Loads the kubeconfig kubectl would use: the first file in $KUBECONFIG, else ~/.kube/config.</summary>
    public static ClusterConnection LoadDefault(string? context = null)
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("KUBECONFIG")?.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        var path = fromEnvironment is { Length: > 0 }
            ? fromEnvironment[0]
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".kube", "config");
        return Load(path, context);
    }

    /// <summary>Parses kubeconfig text (e.g. from a Secret); relative file references resolve against <paramref name="baseDirectory"/>.</summary>
    /// <param name="yaml">The kubeconfig.</param>
    /// <param name="source">How errors name this kubeconfig, e.g. <c>kubeconfig from Secret flux-system/prod</c>.</param>
    /// <param name="baseDirectory">The directory relative paths refer to.</param>
    /// <param name="context">The context to use; the current context when null.</param>
    public static ClusterConnection Parse(string yaml, string source, string baseDirectory, string? context = null)
    {
        JsonObject config;
        try
        {
            config = ManifestReader.ReadMapping(yaml, source);
        }
        catch (ManifestException e)
        {
            throw new KubernetesConfigurationException(e.Message, e);
        }

        var contextName = context ?? Text(config, "current-context", source)
            ?? throw new KubernetesConfigurationException($"{source} has no current-context; set it (kubectl config use-context) or name a context.");
        var where = $"{source}, context '{contextName}'";
        var contextEntry = Named(config, "contexts", contextName, source, "context")["context"] as JsonObject
            ?? throw new KubernetesConfigurationException($"{where}: contexts[{contextName}].context is missing.");
        var clusterName = Text(contextEntry, "cluster", where)
            ?? throw new KubernetesConfigurationException($"{where}: context.cluster is missing; name the cluster this context uses.");
        var userName = Text(contextEntry, "user", where);
        var cluster = Named(config, "clusters", clusterName, where, "cluster")["cluster"] as JsonObject
            ?? throw new KubernetesConfigurationException($"{where}: clusters[{clusterName}].cluster is missing.");
        var clusterWhere = $"{where}, cluster '{clusterName}'";
        var server = Text(cluster, "server", clusterWhere)
            ?? throw new KubernetesConfigurationException($"{clusterWhere}: server is missing; set it to the API server's URL.");
        if (!Uri.TryCreate(server, UriKind.Absolute, out var serverUri) || serverUri.Scheme is not ("https" or "http"))
        {
            throw new KubernetesConfigurationException($"{clusterWhere}: server '{server}' is not an http(s) URL.");
        }

        var user = userName is null ? new JsonObject() : Named(config, "users", userName, where, "user")["user"] as JsonObject ?? [];
        var userWhere = $"{where}, user '{userName}'";
        return new ClusterConnection
        {
            Server = serverUri,
            Source = where,
            CertificateAuthorities = CertificateAuthorities(cluster, clusterWhere, baseDirectory),
            InsecureSkipTlsVerify = cluster["insecure-skip-tls-verify"] is JsonValue insecure && insecure.TryGetValue<bool>(out var skip) && skip,
            TlsServerName = Text(cluster, "tls-server-name", clusterWhere),
            Credentials = Credentials(user, userWhere, baseDirectory),
            Namespace = Text(contextEntry, "namespace", where),
            ImpersonateUser = Text(user, "as", userWhere),
            ImpersonateGroups = (user["as-groups"] as JsonArray)?.Select(g => (string?)g).OfType<string>().ToList() ?? [],
        };
    }

    private static ICredentialSource Credentials(JsonObject user, string where, string baseDirectory)
    {
        if (user["exec"] is JsonObject exec)
        {
            var command = Text(exec, "command", where)
                ?? throw new KubernetesConfigurationException($"{where}: exec.command is missing; name the credential plugin to run.");
            var arguments = (exec["args"] as JsonArray)?.Select(a => a?.ToString() ?? "").ToList() ?? [];
            var environment = new Dictionary<string, string>();
            foreach (var entry in (exec["env"] as JsonArray)?.OfType<JsonObject>() ?? [])
            {
                environment[Text(entry, "name", where) ?? throw new KubernetesConfigurationException($"{where}: an exec.env entry has no name.")] =
                    Text(entry, "value", where) ?? "";
            }

            var apiVersion = Text(exec, "apiVersion", where) ?? "client.authentication.k8s.io/v1";
            return new ExecCredentialPlugin(command, arguments, environment, apiVersion, where);
        }

        if (user.ContainsKey("auth-provider"))
        {
            throw new KubernetesConfigurationException($"{where}: auth-provider plugins were removed from Kubernetes; use an exec credential plugin instead.");
        }

        if (user.ContainsKey("username") || user.ContainsKey("password"))
        {
            throw new KubernetesConfigurationException($"{where}: basic authentication (username/password) is not supported; use a token, a client certificate or an exec plugin.");
        }

        var token = Text(user, "token", where);
        if (token is null && Text(user, "tokenFile", where) is { } tokenFile)
        {
            return new TokenFileCredentials(Path.Combine(baseDirectory, tokenFile));
        }

        var certificatePem = Pem(user, "client-certificate-data", "client-certificate", where, baseDirectory);
        var keyPem = Pem(user, "client-key-data", "client-key", where, baseDirectory);
        if ((certificatePem is null) != (keyPem is null))
        {
            var missing = certificatePem is null ? "client-certificate-data (or client-certificate)" : "client-key-data (or client-key)";
            throw new KubernetesConfigurationException($"{where}: {missing} is missing; a client certificate needs both the certificate and its key.");
        }

        X509Certificate2? certificate = null;
        if (certificatePem is not null)
        {
            try
            {
                certificate = X509Certificate2.CreateFromPem(certificatePem, keyPem);
            }
            catch (CryptographicException e)
            {
                throw new KubernetesConfigurationException($"{where}: client-certificate-data and client-key-data do not form a certificate with its private key: {e.Message}", e);
            }
        }

        return new StaticCredentials(new ClientCredentials(token, certificate));
    }

    private static X509Certificate2Collection? CertificateAuthorities(JsonObject cluster, string where, string baseDirectory)
    {
        var pem = Pem(cluster, "certificate-authority-data", "certificate-authority", where, baseDirectory);
        if (pem is null)
        {
            return null;
        }

        var collection = new X509Certificate2Collection();
        try
        {
            collection.ImportFromPem(pem);
        }
        catch (CryptographicException e)
        {
            throw new KubernetesConfigurationException($"{where}: certificate-authority-data is not a PEM certificate: {e.Message}", e);
        }

        return collection.Count > 0
            ? collection
            : throw new KubernetesConfigurationException($"{where}: certificate-authority-data holds no PEM certificate.");
    }

    /// <summary>PEM text from an inline base64 field or a file field; null when neither is set.</summary>
    private static string? Pem(JsonObject entry, string dataField, string fileField, string where, string baseDirectory)
    {
        if (Text(entry, dataField, where) is { } data)
        {
            try
            {
                return Encoding.UTF8.GetString(Convert.FromBase64String(data));
            }
            catch (FormatException)
            {
                throw new KubernetesConfigurationException($"{where}: {dataField} is not valid base64; it must hold the base64 of a PEM file.");
            }
        }

        if (Text(entry, fileField, where) is { } file)
        {
            var path = Path.Combine(baseDirectory, file);
            try
            {
                return File.ReadAllText(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new KubernetesConfigurationException($"{where}: {fileField} {path} cannot be read: {e.Message}", e);
            }
        }

        return null;
    }

    private static JsonObject Named(JsonObject config, string list, string name, string where, string what)
    {
        var entries = config[list] as JsonArray;
        return entries?.OfType<JsonObject>().FirstOrDefault(e => (string?)e["name"] == name)
            ?? throw new KubernetesConfigurationException(
                $"{where}: no {what} named '{name}' in {list} (known: {string.Join(", ", entries?.OfType<JsonObject>().Select(e => (string?)e["name"]) ?? [])}).");
    }

    private static string? Text(JsonObject obj, string field, string where) => obj[field] switch
    {
        null => null,
        JsonValue value when value.TryGetValue<string>(out var text) => text.Length > 0 ? text : null,
        var other => throw new KubernetesConfigurationException($"{where}: {field} must be a string, not {other.GetValueKind()}."),
    };
}
