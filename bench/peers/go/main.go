// Command partyline-sipgo-peer is a minimal answering SIP user agent built on
// github.com/emiago/sipgo. It is the "Go peer" of Partyline's call-setup-rate
// benchmark (bench/cps): SIPp places calls at it and measures how many calls
// per second it sets up and tears down, and how fast.
//
// Contract shared by every benchmark target (see bench/cps/README.md):
//   - listens on UDP 127.0.0.1:<-port>;
//   - prints "READY <port>" on stdout once the socket is bound;
//   - answers INVITE with 200 OK (To tag, Contact, SDP answer), absorbs the ACK,
//     answers BYE with 200 OK; anything else gets sipgo's default 405;
//   - exits on SIGTERM / SIGINT.
//
// It uses sipgo's DialogServerCache, i.e. the library's own UAS dialog layer:
// it retransmits the 2xx until the ACK arrives (RFC 3261 §13.3.1.4) and matches
// BYE to its dialog (RFC 3261 §15.1.2), which is what a real UA must pay for.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

func main() {
	port := flag.Int("port", 0, "UDP port to listen on (0 = any free port)")
	addr := flag.String("addr", "127.0.0.1", "IP address to listen on")
	maxCall := flag.Duration("max-call", 10*time.Minute, "hang up (BYE) a call that lasts longer than this")
	verbose := flag.Bool("v", false, "log sipgo warnings and debug output to stderr")
	flag.Parse()

	if err := run(*addr, *port, *maxCall, *verbose); err != nil {
		fmt.Fprintln(os.Stderr, "sipgo-peer:", err)
		os.Exit(1)
	}
}

func run(addr string, port int, maxCall time.Duration, verbose bool) error {
	// sipgo logs a warning for every unmatched in-dialog request; at thousands
	// of calls per second that logging would be what we measure, so only
	// errors are shown unless -v is given.
	level := slog.LevelError
	if verbose {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	sip.SetDefaultLogger(logger)

	ip := net.ParseIP(addr)
	if ip == nil {
		return fmt.Errorf("invalid -addr %q", addr)
	}
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: ip, Port: port})
	if err != nil {
		return fmt.Errorf("listen udp: %w", err)
	}
	bound := conn.LocalAddr().(*net.UDPAddr).Port

	ua, err := sipgo.NewUA(sipgo.WithUserAgent("partyline-sipgo-peer"), sipgo.WithUserAgentHostname(addr))
	if err != nil {
		return err
	}
	defer ua.Close()
	srv, err := sipgo.NewServer(ua)
	if err != nil {
		return err
	}
	// The client is only used by the dialog layer to send a BYE when a call
	// outlives -max-call; it sends from the listening socket.
	client, err := sipgo.NewClient(ua, sipgo.WithClientHostname(addr), sipgo.WithClientPort(bound))
	if err != nil {
		return err
	}
	contact := sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "peer", Host: addr, Port: bound}}
	dialogs := sipgo.NewDialogServerCache(client, contact)

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	answer := sdpAnswer(addr, bound+2)
	srv.OnInvite(func(req *sip.Request, tx sip.ServerTransaction) {
		onInvite(ctx, dialogs, answer, maxCall, req, tx)
	})
	srv.OnAck(func(req *sip.Request, tx sip.ServerTransaction) {
		// An ACK for a 2xx is its own transaction (RFC 3261 §17.1.1.3); it
		// confirms the dialog and stops the 2xx retransmissions.
		_ = dialogs.ReadAck(req, tx)
	})
	srv.OnBye(func(req *sip.Request, tx sip.ServerTransaction) {
		err := dialogs.ReadBye(req, tx) // answers 200 OK itself on success
		if err == nil {
			return
		}
		// RFC 3261 §15.1.2: a BYE that matches no dialog gets 481.
		code, reason := 481, "Call/Transaction Does Not Exist"
		if !errors.Is(err, sipgo.ErrDialogDoesNotExists) && !errors.Is(err, sipgo.ErrDialogOutsideDialog) {
			code, reason = 500, "Server Internal Error"
		}
		_ = tx.Respond(sip.NewResponseFromRequest(req, code, reason, nil))
	})

	served := make(chan error, 1)
	go func() { served <- srv.ServeUDP(conn) }()
	fmt.Println("READY " + strconv.Itoa(bound))

	select {
	case <-ctx.Done():
		_ = conn.Close()
		return nil
	case err := <-served:
		return err
	}
}

// onInvite runs for the lifetime of one call: it answers, waits for the ACK
// (inside RespondSDP) and then for the BYE, which ends the dialog context.
func onInvite(ctx context.Context, dialogs *sipgo.DialogServerCache, answer []byte, maxCall time.Duration, req *sip.Request, tx sip.ServerTransaction) {
	if to := req.To(); to != nil && to.Params.Has("tag") {
		// A re-INVITE: this peer keeps no session to modify, so refuse it
		// without touching the dialog (RFC 3261 §14.2 allows 488 here).
		_ = tx.Respond(sip.NewResponseFromRequest(req, 488, "Not Acceptable Here", nil))
		return
	}
	dlg, err := dialogs.ReadInvite(req, tx)
	if err != nil {
		_ = tx.Respond(sip.NewResponseFromRequest(req, 400, "Bad Request", nil))
		return
	}
	defer dlg.Close()

	if err := dlg.RespondSDP(answer); err != nil {
		return // no ACK within 64*T1, or the transaction died
	}

	timer := time.NewTimer(maxCall)
	defer timer.Stop()
	select {
	case <-dlg.Context().Done():
	case <-ctx.Done():
	case <-timer.C:
		byeCtx, cancel := context.WithTimeout(ctx, 32*time.Second)
		defer cancel()
		_ = dlg.Bye(byeCtx)
	}
}

// sdpAnswer is a fixed RFC 4566 session accepting PCMU (RFC 3551 payload 0).
// No media flows in this benchmark, so the answer needs no per-call state.
func sdpAnswer(addr string, rtpPort int) []byte {
	return []byte("v=0\r\n" +
		"o=- 1 1 IN IP4 " + addr + "\r\n" +
		"s=-\r\n" +
		"c=IN IP4 " + addr + "\r\n" +
		"t=0 0\r\n" +
		"m=audio " + strconv.Itoa(rtpPort) + " RTP/AVP 0\r\n" +
		"a=rtpmap:0 PCMU/8000\r\n" +
		"a=sendrecv\r\n")
}
