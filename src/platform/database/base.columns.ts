import { CreateDateColumn, UpdateDateColumn } from 'typeorm';

/** Shared column shapes so every table uses the same types for timestamps. */
export const CreatedAt = () => CreateDateColumn({ type: 'timestamptz' });
export const UpdatedAt = () => UpdateDateColumn({ type: 'timestamptz' });
