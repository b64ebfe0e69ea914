namespace IkeSharp.Linux.Userspace;

/// <summary>Why the user-space datapath dropped a packet.</summary>
public enum EspDrop
{
    /// <summary>Outbound packet matched no Child SA's selectors.</summary>
    NoChildSa,
    /// <summary>Inbound ESP with an SPI we do not know.</summary>
    UnknownSpi,
    /// <summary>Inbound sequence number already seen or below the window.</summary>
    Replay,
    /// <summary>Inbound ICV did not verify.</summary>
    Integrity,
    /// <summary>Decrypted packet outside the SA's traffic selectors (RFC 4301 §5.2).</summary>
    Selectors,
    /// <summary>Too short, bad padding, not IP.</summary>
    Malformed,
    /// <summary>Outbound sequence numbers used up without ESN: the SA must be rekeyed.</summary>
    SequenceExhausted,
    /// <summary>The SA reached its hard byte, packet or time limit and waits to be deleted.</summary>
    Expired,
    /// <summary>Inbound ESP arrived raw for a UDP-encapsulated SA, or in UDP for one that is not.</summary>
    WrongEncapsulation,
    /// <summary>Raw ESP could not be sent (no route, no socket for the local address).</summary>
    SendFailed,
}
