namespace ClonusCds.Api.CdsHooks;

/// <summary>Handles one CDS Service call.</summary>
internal sealed class CdsHookHandler(TimeProvider time)
{
    public Task<IResult> HandleAsync(string id, HttpContext http, CancellationToken ct)
    {
        _ = http;
        _ = ct;
        _ = time.GetUtcNow();
        IResult result = CdsServiceCatalog.Exists(id)
            ? TypedResults.Json(new { cards = Array.Empty<object>() }, CdsJson.Options)
            : TypedResults.NotFound();
        return Task.FromResult(result);
    }
}
