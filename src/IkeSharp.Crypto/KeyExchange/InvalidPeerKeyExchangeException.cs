namespace IkeSharp.Crypto;

/// <summary>
/// The peer's Key Exchange Data is malformed or failed validation; the engine answers with
/// INVALID_SYNTAX or drops the exchange rather than derive keys from it.
/// </summary>
public sealed class InvalidPeerKeyExchangeException : Exception
{
    public InvalidPeerKeyExchangeException()
    {
    }

    public InvalidPeerKeyExchangeException(string message)
        : base(message)
    {
    }

    public InvalidPeerKeyExchangeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
