using System.Globalization;
using ClonusCds.Api.CdsHooks.Trust;
using ClonusCds.Api.Infrastructure;
using ClonusCds.Api.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ClonusCds.Api.CdsHooks.Feedback;

/// <summary>
/// CDS Hooks feedback: POST /cds-services/{id}/feedback (the spec's endpoint), called by CDS
/// Clients with their CDS Hooks JWT, and GET of what was stored, for quality review, called with a
/// REST access token granting <see cref="Scopes.FeedbackRead"/>. See docs/cds-hooks.md ("Feedback").
/// </summary>
internal static class CdsFeedbackApi
{
    /// <summary>Registers the feedback options, the default SQLite store and the endpoint handler.</summary>
    public static IServiceCollection AddCdsFeedback(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<CdsFeedbackOptions>(configuration.GetSection(CdsFeedbackOptions.Section));
        // TryAdd: a store registered earlier wins; one registered later also wins (last registration).
        services.TryAddSingleton<IFeedbackStore, SqliteFeedbackStore>();
        services.TryAddSingleton<CdsFeedbackEndpoints>();
        return services;
    }

    /// <summary>Maps the feedback endpoints on the /cds-services group.</summary>
    public static RouteGroupBuilder MapCdsFeedback(this RouteGroupBuilder group)
    {
        group.MapPost("/{id}/feedback", (string id, HttpContext http, CdsFeedbackEndpoints endpoints, CancellationToken ct) => endpoints.PostAsync(id, http, ct))
            .WithName("CdsFeedback")
            .WithTags("CDS Hooks")
            .WithSummary("CDS Hooks feedback: which cards were accepted or overridden, and why.")
            .WithDescription(
                "The CDS Hooks 2.0 feedback endpoint. Body: {\"feedback\": [1..100 items]}; each item names the card uuid, the outcome " +
                "(accepted with acceptedSuggestions, or overridden with an optional overrideReason) and the outcomeTimestamp (RFC 3339, UTC). " +
                "Unknown members such as extension are ignored. Idempotent: an item already stored is counted in duplicates and not stored again.")
            .Accepts<CdsFeedbackRequest>("application/json")
            .Produces<CdsFeedbackReceipt>(StatusCodes.Status200OK)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .AddEndpointFilter<CdsJwtFilter>();

        group.MapGet("/{id}/feedback", (string id, [FromQuery] string? since, [FromQuery] string? limit, [FromQuery] string? offset,
                HttpContext http, CdsFeedbackEndpoints endpoints, CancellationToken ct) => endpoints.ListAsync(id, since, limit, offset, http, ct))
            .WithName("CdsFeedbackList")
            .WithTags("CDS Hooks")
            .WithSummary("Stored feedback for a CDS Service, newest first (quality review).")
            .WithDescription(
                "since: RFC 3339 date-time with offset; only feedback received at or after it. limit: 1..500 (default 100). offset: items to skip (default 0). " +
                "Responses are Cache-Control: no-store because userComment may hold patient details. " +
                "This is the quality-review read, not part of CDS Hooks: it takes a REST API access token, and a CDS Client's CDS Hooks JWT is not accepted.")
            .Produces<CdsFeedbackList>(StatusCodes.Status200OK)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            // Not the CDS Hooks JWT: an EHR may post feedback, but reading back every clinician's
            // outcomes, override reasons and comments is for the product's quality staff. The REST
            // bearer check runs before the query is bound, answers in the REST format (ProblemDetails,
            // insufficient_scope) and has no anonymousWhen: Auth:AnonymousKnowledge/AnonymousHealth
            // never open it. Like every REST route, it is open when Auth:RequireBearer is false.
            .RequireClonusScope(Scopes.FeedbackRead);

        return group;
    }
}

/// <summary>The feedback endpoint handlers.</summary>
internal sealed partial class CdsFeedbackEndpoints(
    IFeedbackStore store, TimeProvider time, IOptions<RequestLimitsOptions> limits, ILogger<CdsFeedbackEndpoints> logger)
{
    private const int BufferSize = 16 * 1024;

    public async Task<IResult> PostAsync(string id, HttpContext http, CancellationToken cancellationToken)
    {
        if (!CdsServiceCatalog.Exists(id))
        {
            return UnknownService();
        }

        if (!http.Request.HasJsonContentType())
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type",
                detail: "Send the feedback as application/json.", type: ProblemDetailsSetup.TypeFor(415));
        }

        var body = await ReadBodyAsync(http.Request, cancellationToken);
        if (body is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request body too large",
                detail: $"The request body exceeds the limit of {limits.Value.MaxRequestBodyBytes} bytes; send fewer items per request.",
                type: ProblemDetailsSetup.TypeFor(413));
        }

        var read = FeedbackRequestReader.Read(body, time.GetUtcNow());
        if (read.Errors is { } errors)
        {
            return Invalid(errors, "The feedback is not valid");
        }

        var result = await store.SaveAsync(id, read.Items, cancellationToken);
        // Counts and the service id only: userComment may hold patient details.
        LogReceived(logger, id, result.Received, result.Stored, result.Duplicates);
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Json(new CdsFeedbackReceipt(result.Received, result.Stored, result.Duplicates), CdsJson.Options);
    }

    public async Task<IResult> ListAsync(string id, string? since, string? limit, string? offset, HttpContext http, CancellationToken cancellationToken)
    {
        if (!CdsServiceCatalog.Exists(id))
        {
            return UnknownService();
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        DateTimeOffset? sinceValue = null;
        if (since is not null)
        {
            if (FeedbackRequestReader.TryParseTimestamp(since, out var parsed, out var error))
            {
                sinceValue = parsed;
            }
            else
            {
                errors["since"] = [error];
            }
        }

        var limitValue = ParseInt(limit, "limit", 1, FeedbackQuery.MaxLimit, FeedbackQuery.DefaultLimit, errors);
        var offsetValue = ParseInt(offset, "offset", 0, int.MaxValue, 0, errors);
        if (errors.Count > 0)
        {
            return Invalid(errors, "The query is not valid");
        }

        var items = await store.ListAsync(id, new FeedbackQuery(sinceValue, limitValue, offsetValue), cancellationToken);
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Json(new CdsFeedbackList(items.Select(CdsFeedbackRecord.From).ToList()), CdsJson.Options);
    }

    private static int ParseInt(string? text, string name, int min, int max, int fallback, Dictionary<string, string[]> errors)
    {
        if (text is null)
        {
            return fallback;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        errors[name] = [max == int.MaxValue ? $"Expected a whole number, at least {min}." : $"Expected a whole number from {min} to {max}."];
        return fallback;
    }

    /// <summary>The body, or null when it exceeds the request size limit.</summary>
    private async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var limit = limits.Value.MaxRequestBodyBytes;
        if (request.ContentLength > limit)
        {
            return null;
        }

        try
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[BufferSize];
            int count;
            while ((count = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + count > limit)
                {
                    return null;
                }

                buffer.Write(chunk, 0, count);
            }

            return buffer.ToArray();
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return null;
        }
    }

    private static ProblemHttpResult UnknownService() =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown CDS Service",
            detail: "No CDS Service has this id. GET /cds-services lists the services.", type: ProblemDetailsSetup.TypeFor(404));

    private static ValidationProblem Invalid(Dictionary<string, string[]> errors, string title)
    {
        const int shown = 5;
        var detail = string.Join(" ", errors.Take(shown).Select(e => $"{e.Key}: {e.Value[0]}"));
        if (errors.Count > shown)
        {
            detail += $" (and {errors.Count - shown} more; see errors)";
        }

        return TypedResults.ValidationProblem(errors, title: title, detail: detail, type: ProblemDetailsSetup.TypeFor(400));
    }

    [LoggerMessage(EventId = 3100, Level = LogLevel.Information,
        Message = "CDS feedback for {ServiceId}: received {Received}, stored {Stored}, duplicates {Duplicates}")]
    private static partial void LogReceived(ILogger logger, string serviceId, int received, int stored, int duplicates);
}
