package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/cschleiden/go-workflows/backend"

	"onewindow/app"
	"onewindow/engine/outbound"
)

// startOutbound starts the deliveries to the world outside on the engine's go-workflows store
// (a queue of their own). A process that runs work starts the worker of the delivery
// workflows, and the dispatcher that makes the deliveries of new events and notifications
// while it holds the sweepers' lease; an api process only enqueues (a redelivery an admin
// asks for). It returns the function that stops them; call it before the backend closes.
func startOutbound(ctx context.Context, cfg *config, b backend.Backend, uc *app.App, sweepers *lease, log *slog.Logger) (func(context.Context) error, error) {
	r, err := outbound.New(outbound.Config{Backend: b, Attempt: uc.AttemptDelivery, GiveUp: uc.GiveUpDelivery,
		Logger: log})
	if err != nil {
		return nil, err
	}
	uc.UseOutbound(r)
	if !cfg.runsWork() {
		return func(context.Context) error { return nil }, nil
	}
	octx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	if err := r.Start(octx); err != nil {
		cancel()
		return nil, fmt.Errorf("start deliveries: %w", err)
	}
	dispatched := make(chan struct{})
	go func() {
		defer close(dispatched)
		if sweepers.db == nil {
			// One process (SQLite): dispatched at once when this process writes events.
			uc.RunOutbound(octx, 2*time.Second)
			return
		}
		dispatchDeliveries(octx, uc, sweepers, 500*time.Millisecond, log)
	}()
	log.Info("deliveries started", "notify_sender", cfg.Outbound.Sender, "retry", cfg.Outbound.RetryFirst, "give_up", cfg.Outbound.GiveUpAfter)
	return func(context.Context) error {
		cancel()
		<-dispatched
		return r.Wait()
	}, nil
}

// stopBoth stops first, then second, and reports both errors.
func stopBoth(first, second func(context.Context) error) func(context.Context) error {
	return func(ctx context.Context) error { return errors.Join(first(ctx), second(ctx)) }
}
