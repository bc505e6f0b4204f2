using System.Net;
using Granary.Contracts.Grains;
using Granary.Silo.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace Granary.Tests.Host.Webhooks;

public sealed class Rejected_deliveries_are_logged_naming_the_receiver_and_address_only : IAsyncLifetime
{
    private const string Secret = "logged-never-0123456789abcdef";
    private readonly RecordingLogger _logger = new();
    private WebApplication _app = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        // A rejected delivery never reaches a grain: the factory fails the test if it is asked for one.
        WebhookEndpoints.Map(_app, [new Receiver("github", ReceiverType.GitHub, new ReceiverSecret(Secret), [new ReceiverResource("GitRepository", "apps", "fleet")])], new NoGrains(), _logger);
        await _app.StartAsync();
        _client = new HttpClient { BaseAddress = new Uri(_app.Urls.First()) };
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task A_bad_signature_is_logged_with_the_receiver_name_and_remote_address_never_the_secret_or_the_signature()
    {
        const string Sent = "sha256=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/hooks/github") { Content = new StringContent("{}") };
        request.Headers.Add("X-GitHub-Event", "push");
        request.Headers.Add("X-Hub-Signature-256", Sent);

        using var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var entry = Assert.Single(_logger.Entries, e => e.Level == LogLevel.Warning);
        Assert.Equal("github", entry.Values["Receiver"]);
        Assert.Equal(IPAddress.Loopback, entry.Values["Remote"]);
        Assert.Contains("X-Hub-Signature-256 is not the body's HMAC-SHA256", entry.Message);
        Assert.DoesNotContain(Secret, entry.Message);
        Assert.DoesNotContain(Sent["sha256=".Length..], entry.Message);
        Assert.DoesNotContain(entry.Values.Values, v => v?.ToString()?.Contains(Secret) == true || v?.ToString()?.Contains(Sent) == true);
    }

    private sealed record Entry(LogLevel Level, string Message, Dictionary<string, object?> Values);

    private sealed class RecordingLogger : ILogger
    {
        public List<Entry> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? pairs.ToDictionary(p => p.Key, p => p.Value) : [];
            lock (Entries)
            {
                Entries.Add(new Entry(logLevel, formatter(state, exception), values));
            }
        }
    }

    private sealed class NoGrains : IGrainFactory
    {
        public T Get<T>(string key) where T : IGrain => throw new InvalidOperationException($"a rejected delivery asked for grain {key}");

        public T Get<T>(GrainId id) where T : IGrain => throw new InvalidOperationException($"a rejected delivery asked for grain {id}");
    }
}
