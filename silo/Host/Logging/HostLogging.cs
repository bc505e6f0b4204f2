using Granary.Silo.Configuration;
using Microsoft.Extensions.Logging;

namespace Granary.Silo.Logging;

/// <summary>
/// Console logging in the configured format: single text lines, or one JSON object per line whose fields are the
/// message template's values (<c>Kind</c>, <c>Resource</c>, <c>Revision</c>, ...), for log pipelines to index.
/// </summary>
public static class HostLogging
{
    /// <summary>Configures <paramref name="logging"/> for <paramref name="format"/>.</summary>
    public static ILoggingBuilder Configure(ILoggingBuilder logging, LogFormat format)
    {
        logging.ClearProviders();
        logging.SetMinimumLevel(LogLevel.Information);
        // ASP.NET Core's per-request lines would drown the reconcile lines; its warnings and errors still show.
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);
        if (format == LogFormat.Json)
        {
            logging.AddJsonConsole(json =>
            {
                json.IncludeScopes = true;
                json.UseUtcTimestamp = true;
                json.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        }
        else
        {
            logging.AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.UseUtcTimestamp = true;
                console.TimestampFormat = "HH:mm:ss ";
            });
        }

        return logging;
    }
}
