namespace IkeSharp.Protocol;

/// <summary>
/// Why a datagram could not be decoded: the payload being read (if any), the octet offset
/// from the start of the datagram, and a reason an operator can act on.
/// </summary>
public readonly record struct DecodeError(string Reason, PayloadType? Payload, int Offset)
{
    public override string ToString() => Payload is { } p
        ? $"{p} payload at offset {Offset}: {Reason}"
        : $"offset {Offset}: {Reason}";
}

/// <summary>
/// The one exception the decoder throws. Everything malformed surfaces as this type (or as
/// <c>false</c> from the TryDecode methods), never as an index or argument exception.
/// </summary>
public sealed class IkeDecodeException : Exception
{
    public IkeDecodeException(DecodeError error)
        : base(error.ToString())
    {
        Error = error;
    }

    public IkeDecodeException()
        : this(new DecodeError("malformed message", null, 0))
    {
    }

    public IkeDecodeException(string message)
        : this(new DecodeError(message, null, 0))
    {
    }

    public IkeDecodeException(string message, Exception innerException)
        : base(message, innerException)
    {
        Error = new DecodeError(message, null, 0);
    }

    public DecodeError Error { get; }
}
