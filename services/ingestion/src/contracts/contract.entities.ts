import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { type AdapterSpecStatus, type ContractStatus } from '@ihf/contracts';
import { type ValidationRule } from './validation-rule.js';

/** Which data-* attributes a widget's root element must carry (`envelope_emission_contracts`). */
export const EnvelopeContract = defineEntity({
  name: 'EnvelopeContract',
  tableName: 'envelope_emission_contracts',
  properties: {
    id: p.uuid().primary(),
    contractVersion: p.string().fieldName('contract_version'),
    requiredAttributes: p.json<string[]>().fieldName('required_attributes'),
    optionalAttributes: p.json<string[]>().fieldName('optional_attributes'),
    validationRules: p.json<ValidationRule[]>().fieldName('validation_rules'),
    description: p.text().nullable(),
    status: p.string().$type<ContractStatus>(),
    createdAt: p.datetime().fieldName('created_at'),
    updatedAt: p.datetime().fieldName('updated_at'),
  },
});

export type EnvelopeContract = InferEntity<typeof EnvelopeContract>;

/** How external UIs report events (`interaction_reporting_contracts`); the active one is enforced. */
export const ReportingContract = defineEntity({
  name: 'ReportingContract',
  tableName: 'interaction_reporting_contracts',
  properties: {
    id: p.uuid().primary(),
    contractVersion: p.string().fieldName('contract_version'),
    endpointPath: p.string().fieldName('endpoint_path'),
    acceptedEventTypes: p.json<string[]>().fieldName('accepted_event_types'),
    requiredFields: p.json<string[]>().fieldName('required_fields'),
    authScheme: p.string().fieldName('auth_scheme'),
    validationRules: p.json<ValidationRule[]>().fieldName('validation_rules'),
    description: p.text().nullable(),
    status: p.string().$type<ContractStatus>(),
    createdAt: p.datetime().fieldName('created_at'),
    updatedAt: p.datetime().fieldName('updated_at'),
  },
});

export type ReportingContract = InferEntity<typeof ReportingContract>;

/** How one UI technology meets the widget protocol (`widget_adapter_specs`). */
export const AdapterSpec = defineEntity({
  name: 'AdapterSpec',
  tableName: 'widget_adapter_specs',
  properties: {
    id: p.uuid().primary(),
    name: p.string(),
    framework: p.string(),
    version: p.string(),
    envelopeContractId: p.uuid().nullable().fieldName('envelope_contract_id'),
    reportingContractId: p.uuid().nullable().fieldName('reporting_contract_id'),
    status: p.string().$type<AdapterSpecStatus>(),
    notes: p.text().nullable(),
    createdAt: p.datetime().fieldName('created_at'),
    updatedAt: p.datetime().fieldName('updated_at'),
  },
});

export type AdapterSpec = InferEntity<typeof AdapterSpec>;
