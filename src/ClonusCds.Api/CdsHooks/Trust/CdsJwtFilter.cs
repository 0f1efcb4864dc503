namespace ClonusCds.Api.CdsHooks.Trust;

// PLACEHOLDER, being replaced in this session by the JWT trust implementation.
internal sealed class CdsJwtFilter : IEndpointFilter
{
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next) => next(context);
}
