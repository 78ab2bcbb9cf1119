package tlslab.pcap;

/**
 * The counters of a pcapng Interface Statistics Block (draft-ietf-opsawg-pcapng section 4.6): what
 * the capturing program itself recorded about one interface at the end (or during) a capture.
 * Wireshark shows them in Statistics &gt; Capture File Properties ("Dropped packets"). Each counter
 * is -1 when the block does not carry it.
 *
 * @param interfaceId the interface the counters are for (index of its Interface Description Block)
 * @param received isb_ifrecv: packets the interface received
 * @param interfaceDropped isb_ifdrop: packets lost for lack of resources (interface, kernel
 *     buffers) before they reached the capturing program
 * @param filterAccepted isb_filteraccept: packets the capture filter accepted
 * @param osDropped isb_osdrop: packets the operating system dropped
 * @param delivered isb_usrdeliv: packets the capturing program delivered (wrote to the file)
 */
public record InterfaceStatistics(
    int interfaceId,
    long received,
    long interfaceDropped,
    long filterAccepted,
    long osDropped,
    long delivered) {

  /** Packets the block says were lost before the file: isb_ifdrop plus isb_osdrop (0 if absent). */
  public long dropped() {
    return Math.max(0, interfaceDropped) + Math.max(0, osDropped);
  }
}
